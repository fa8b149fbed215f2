"""Every error the engine raises where PyTorch raises one: the same exception type and message.

The expected messages were printed by PyTorch 2.13 for the same code (``str(exception)``, without
the "(Triggered internally at ...)" suffix some C++ warnings carry).
"""

from __future__ import annotations

import warnings

import pytest

from autodiff_repl import engine as torch
from autodiff_repl.engine.messages import NON_LEAF_GRAD_WARNING

pytestmark = pytest.mark.usefixtures("clean_engine")

SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward.")


def x4(T=torch):
    return T.arange(4.0, requires_grad=True)


def _second_backward(T):
    y = T.dot(x4(T), x4(T))
    y.backward()
    y.backward()


def _set_requires_grad(t):
    t.requires_grad = True


def _modified(a, b):
    return ("one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: {a} is at version {b}; expected version {b - 1} instead. Hint: "
            "enable anomaly detection to find the operation that failed to compute its gradient, "
            "with torch.autograd.set_detect_anomaly(True, check_nan=False).")


def _saved_output_updated(T):
    y = T.ones(2, 3, requires_grad=True).exp()
    y.add_(1)
    y.sum().backward()


def _saved_constant_updated(T):
    a, b = T.ones(2, requires_grad=True), T.ones(2)
    z = a * b
    b += 1
    z.sum().backward()


def _saved_leaf_updated_under_no_grad(T):
    a = T.ones(2, requires_grad=True)
    z = a * a
    with T.no_grad():
        a += 1
    z.sum().backward()


def _squared_in_place(T):
    y = T.tensor([1.0, 2.0], requires_grad=True) * 2
    y += 1
    y *= y
    y.sum().backward()


def _saved_input_updated(T):
    y = T.tensor([1.0, 2.0], requires_grad=True) * 2
    z = y * y
    y += 1
    z.sum().backward()


def _saved_output_assigned(T):
    y = T.tensor([1.0, 2.0], requires_grad=True).sigmoid()
    y[0] = 0.0
    y.sum().backward()


CASES = {
    "non-scalar backward": (lambda T: (x4(T) * 2).backward(), RuntimeError,
                            "grad can be implicitly created only for scalar outputs"),
    "backward without grad": (lambda T: T.arange(4.0).sum().backward(), RuntimeError,
                              "element 0 of tensors does not require grad and does not have a "
                              "grad_fn"),
    "second backward": (lambda T: _second_backward(T), RuntimeError, SECOND_BACKWARD),
    "int requires_grad=True": (lambda T: T.tensor([1, 2], requires_grad=True), RuntimeError,
                               "Only Tensors of floating point and complex dtype can require "
                               "gradients"),
    "int arange requires_grad": (lambda T: T.arange(4, requires_grad=True), RuntimeError,
                                 "Only Tensors of floating point and complex dtype can require "
                                 "gradients"),
    "int requires_grad_()": (lambda T: T.tensor([1, 2]).requires_grad_(), RuntimeError,
                             "only Tensors of floating point dtype can require gradients"),
    "int .requires_grad =": (lambda T: _set_requires_grad(T.tensor([1, 2])), RuntimeError,
                             "only Tensors of floating point and complex dtype can require "
                             "gradients"),
    "leaf in-place": (lambda T: x4(T).add_(1), RuntimeError,
                      "a leaf Variable that requires grad is being used in an in-place "
                      "operation."),
    "leaf +=": (lambda T: x4(T).__iadd__(1), RuntimeError,
                "a leaf Variable that requires grad is being used in an in-place operation."),
    "leaf setitem": (lambda T: x4(T).__setitem__(0, 1.0), RuntimeError,
                     "a view of a leaf Variable that requires grad is being used in an in-place "
                     "operation."),
    "view of a leaf in-place": (lambda T: x4(T)[0].add_(1), RuntimeError,
                                "a view of a leaf Variable that requires grad is being used in an "
                                "in-place operation."),
    "requires_grad_(False) on non-leaf": (
        lambda T: (x4(T) * 2).requires_grad_(False), RuntimeError,
        "you can only change requires_grad flags of leaf variables. If you want to use a "
        "computed variable in a subgraph that doesn't require differentiation use "
        "var_no_grad = var.detach()."),
    "numpy() on requires_grad": (lambda T: x4(T).numpy(), RuntimeError,
                                 "Can't call numpy() on Tensor that requires grad. Use "
                                 "tensor.detach().numpy() instead."),
    "item() on many": (lambda T: T.arange(4.0).item(), RuntimeError,
                       "a Tensor with 4 elements cannot be converted to Scalar"),
    "float() on many": (lambda T: float(T.arange(4.0)), ValueError,
                        "only one element tensors can be converted to Python scalars"),
    "int() on many": (lambda T: int(T.arange(4.0)), ValueError,
                      "only one element tensors can be converted to Python scalars"),
    "bool() ambiguous": (lambda T: bool(T.arange(4.0) > 1), RuntimeError,
                         "Boolean value of Tensor with more than one value is ambiguous"),
    "dot sizes": (lambda T: T.dot(T.ones(3), T.ones(4)), RuntimeError,
                  "inconsistent tensor size, expected tensor [3] and src [4] to have the same "
                  "number of elements, but got 3 and 4 elements respectively"),
    "dot dtypes": (lambda T: T.dot(T.ones(3), T.ones(3, dtype=T.float64)),
                   RuntimeError, "dot : expected both vectors to have same dtype, but found Float "
                   "and Double"),
    "dot float and long": (lambda T: T.dot(T.ones(3), T.arange(3)), RuntimeError,
                           "dot : expected both vectors to have same dtype, but found Float and "
                           "Long"),
    "dot dims": (lambda T: T.dot(T.ones(3, 3), T.ones(3)), RuntimeError,
                 "1D tensors expected, but got 2D and 1D tensors"),
    "mm shapes": (lambda T: T.mm(T.ones(2, 3), T.ones(4, 5)), RuntimeError,
                  "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
    "mm vector": (lambda T: T.mm(T.ones(2, 3), T.ones(3)), RuntimeError,
                  "mat2 must be a matrix"),
    "mm self vector": (lambda T: T.mm(T.ones(3), T.ones(3, 3)), RuntimeError,
                       "self must be a matrix"),
    "mm dtypes": (lambda T: T.mm(T.ones(2, 3), T.ones(3, 2, dtype=T.float64)),
                  RuntimeError, "expected m1 and m2 to have the same dtype, but got: float != "
                  "double"),
    "mv sizes": (lambda T: T.mv(T.ones(2, 3), T.ones(4)), RuntimeError,
                 "size mismatch, got input (2), mat (2x3), vec (4)"),
    "@ matrices": (lambda T: T.ones(2, 3) @ T.ones(4, 5), RuntimeError,
                   "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
    "@ vectors": (lambda T: T.ones(3) @ T.ones(4), RuntimeError,
                  "inconsistent tensor size, expected tensor [3] and src [4] to have the same "
                  "number of elements, but got 3 and 4 elements respectively"),
    "@ scalar": (lambda T: T.ones(3) @ T.tensor(2.0), RuntimeError,
                 "both arguments to matmul need to be at least 1D, but they are 1D and 0D"),
    "@ batch and matrix": (lambda T: T.ones(2, 2, 3) @ T.ones(4, 5), RuntimeError,
                           "mat1 and mat2 shapes cannot be multiplied (4x3 and 4x5)"),
    "@ batches": (lambda T: T.ones(2, 2, 3) @ T.ones(2, 4, 5), RuntimeError,
                  "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but "
                  "got: [2, 4]."),
    "@ batch shapes": (lambda T: T.ones(2, 2, 3) @ T.ones(3, 3, 4), RuntimeError,
                       "The size of tensor a (2) must match the size of tensor b (3) at "
                       "non-singleton dimension 0"),
    "@ vector and matrix": (lambda T: T.ones(3) @ T.ones(4, 5), RuntimeError,
                            "mat1 and mat2 shapes cannot be multiplied (1x3 and 4x5)"),
    "broadcast": (lambda T: T.ones(4) + T.ones(3), RuntimeError,
                  "The size of tensor a (4) must match the size of tensor b (3) at "
                  "non-singleton dimension 0"),
    "broadcast 2-D": (lambda T: T.ones(2, 3) * T.ones(3, 2), RuntimeError,
                      "The size of tensor a (3) must match the size of tensor b (2) at "
                      "non-singleton dimension 1"),
    "grad of an unused input": (
        lambda T: T.autograd.grad((x4(T) * 2).sum(), [x4(T), x4(T)]), RuntimeError,
        "The differentiated Tensor at index 0 appears to not have been used in the graph. Set "
        "allow_unused=True if this is the desired behavior."),
    "grad input without requires_grad": (
        lambda T: T.autograd.grad((x4(T) * 2).sum(), [T.ones(4)]), RuntimeError,
        "One of the differentiated Tensors does not require grad"),
    "grad of a non-scalar": (lambda T: T.autograd.grad(x4(T) * 2, x4(T)), RuntimeError,
                             "grad can be implicitly created only for scalar outputs"),
    "gradient= of another shape": (
        lambda T: (x4(T) * 2).backward(T.ones(3)), RuntimeError,
        "Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a "
        "shape of torch.Size([4])."),
    "grad_outputs of another shape": (
        lambda T: T.autograd.grad(x4(T) * 2, x4(T), T.ones(2, 2)), RuntimeError,
        "Mismatch in shape: grad_output[0] has a shape of torch.Size([2, 2]) and output[0] has "
        "a shape of torch.Size([4])."),
    "int ** negative int": (lambda T: T.tensor([1, 2]) ** -1, RuntimeError,
                            "Integers to negative integer powers are not allowed."),
    "int pow(-2)": (lambda T: T.tensor([1, 2]).pow(-2), RuntimeError,
                    "Integers to negative integer powers are not allowed."),
    "reshape": (lambda T: T.ones(6).reshape(4), RuntimeError,
                "shape '[4]' is invalid for input of size 6"),
    "view": (lambda T: T.ones(2, 3).view(4, 2), RuntimeError,
             "shape '[4, 2]' is invalid for input of size 6"),
    "view of a transpose": (lambda T: T.ones(2, 3).T.view(-1), RuntimeError,
                            "view size is not compatible with input tensor's size and stride (at "
                            "least one dimension spans across two contiguous subspaces). Use "
                            ".reshape(...) instead."),
    "index": (lambda T: T.ones(4)[5], IndexError,
              "index 5 is out of bounds for dimension 0 with size 4"),
    "index dim 1": (lambda T: T.ones(2, 4)[0, 7], IndexError,
                    "index 7 is out of bounds for dimension 1 with size 4"),
    "negative index": (lambda T: T.ones(4)[-5], IndexError,
                       "index -5 is out of bounds for dimension 0 with size 4"),
    "index list": (lambda T: T.ones(4)[[0, 5]], IndexError,
                   "index 5 is out of bounds for dimension 0 with size 4"),
    "retain_grad without grad": (lambda T: T.ones(4).retain_grad(), RuntimeError,
                                 "can't retain_grad on Tensor that has requires_grad=False"),
    "hook without grad": (lambda T: T.ones(4).register_hook(lambda g: g), RuntimeError,
                          "cannot register a hook on a tensor that doesn't require gradient"),
    "len of 0-d": (lambda T: len(T.tensor(1.0)), TypeError, "len() of a 0-d tensor"),
    "iter of 0-d": (lambda T: iter(T.tensor(1.0)), TypeError, "iteration over a 0-d tensor"),
    "dim out of range": (lambda T: T.ones(2, 3).sum(dim=2), IndexError,
                         "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    "expand": (lambda T: T.ones(3).expand(2, 4), RuntimeError,
               "The expanded size of the tensor (4) must match the existing size (3) at "
               "non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [3]"),
    "expand to fewer dims": (lambda T: T.ones(2, 3).expand(3), RuntimeError,
                             "expand(torch.FloatTensor{[2, 3]}, size=[3]): the number of sizes "
                             "provided (1) must be greater or equal to the number of dimensions "
                             "in the tensor (2)"),
    "setitem shape": (lambda T: T.zeros(4).__setitem__(slice(0, 2), T.ones(3)),
                      RuntimeError, "The expanded size of the tensor (2) must match the existing "
                      "size (3) at non-singleton dimension 0.  Target sizes: [2].  Tensor sizes: "
                      "[3]"),
    "cat sizes": (lambda T: T.cat([T.ones(2, 3), T.ones(2, 4)]), RuntimeError,
                  "Sizes of tensors must match except in dimension 0. Expected size 3 but got "
                  "size 4 for tensor number 1 in the list."),
    "stack sizes": (lambda T: T.stack([T.ones(2), T.ones(3)]), RuntimeError,
                    "stack expects each tensor to be equal size, but got [2] at entry 0 and [3] "
                    "at entry 1"),
    "mean of ints": (lambda T: T.arange(4).mean(), RuntimeError,
                     "mean(): could not infer output dtype. Input dtype must be either a "
                     "floating point or complex dtype. Got: Long"),
    "norm of ints": (lambda T: T.arange(3).norm(), RuntimeError,
                     "linalg.vector_norm: Expected a floating point or complex tensor as input. "
                     "Got Long"),
    "t() of 3-D": (lambda T: T.ones(2, 2, 2).t(), RuntimeError,
                   "t() expects a tensor with <= 2 dimensions, but self is 3D"),
    "clamp without bounds": (lambda T: T.clamp(T.ones(2)), RuntimeError,
                             "torch.clamp: At least one of 'min' or 'max' must not be None"),
    "where condition": (lambda T: T.where(T.ones(2), T.ones(2), T.ones(2)),
                        RuntimeError, "where expected condition to be a boolean tensor, but got "
                        "a tensor with dtype Float"),
    "max of empty": (lambda T: T.ones(0).max(), RuntimeError,
                     "max(): Expected reduction dim to be specified for input.numel() == 0. "
                     "Specify the reduction dim with the 'dim' argument."),
    "zeros negative": (lambda T: T.zeros(-1), RuntimeError,
                       "zeros: Dimension size must be non-negative."),
    "ones negative": (lambda T: T.ones(2, -1), RuntimeError,
                      "Trying to create tensor with negative dimension -1: [2, -1]"),
    "ragged list": (lambda T: T.tensor([[1, 2], [3]]), ValueError,
                    "expected sequence of length 2 at dim 1 (got 1)"),
    "string data": (lambda T: T.tensor("a"), TypeError, "new(): invalid data type 'str'"),
    "assign grad of another size": (
        lambda T: setattr(x4(T), "grad", T.ones(3)), RuntimeError,
        "attempting to assign a gradient of size '[3]' to a tensor of size '[4]'. Please "
        "ensure that the gradient and the tensor are the same size"),
    "squeeze dim": (lambda T: T.ones(2).squeeze(3), IndexError,
                    "Dimension out of range (expected to be in range of [-1, 0], but got 3)"),
    "permute dims": (lambda T: T.ones(2, 3).permute(0), RuntimeError,
                     "permute(sparse_coo): number of dimensions in the tensor input does not "
                     "match the length of the desired ordering of dimensions i.e. input.dim() = 2 "
                     "is not equal to len(dims) = 1"),
    "outer of a matrix": (lambda T: T.outer(T.ones(2, 2), T.ones(2)), RuntimeError,
                          "outer: Expected 1-D argument self, but got 2-D"),
    "saved output updated in place": (
        _saved_output_updated, RuntimeError,
        _modified("[torch.FloatTensor [2, 3]], which is output 0 of Exp,", 1)),
    "saved constant updated in place": (_saved_constant_updated, RuntimeError,
                                        _modified("[torch.FloatTensor [2]]", 1)),
    "saved leaf updated under no_grad": (_saved_leaf_updated_under_no_grad, RuntimeError,
                                         _modified("[torch.FloatTensor [2]]", 1)),
    "y *= y": (_squared_in_place, RuntimeError,
               _modified("[torch.FloatTensor [2]], which is output 0 of Mul,", 2)),
    "saved input updated in place": (
        _saved_input_updated, RuntimeError,
        _modified("[torch.FloatTensor [2]], which is output 0 of Add,", 1)),
    "saved output assigned to": (
        _saved_output_assigned, RuntimeError,
        _modified("[torch.FloatTensor [2]], which is output 0 of Sigmoid,", 1)),
    "make_dual outside a level": (
        lambda T: T.autograd.forward_ad.make_dual(T.ones(2), T.ones(2)), RuntimeError,
        "To create a dual Tensor, you need to be inside a dual_level() context"),
}


@pytest.mark.parametrize(("code", "kind", "message"), CASES.values(), ids=CASES.keys())
def test_error_type_and_message(code, kind, message):
    with pytest.raises(kind) as info:
        code(torch)
    assert type(info.value) is kind
    assert str(info.value) == message


@pytest.mark.torch
@pytest.mark.parametrize(("code", "kind", "message"), CASES.values(), ids=CASES.keys())
def test_the_message_is_torchs(code, kind, message):
    """The same code on PyTorch, where it is installed, raises the same error."""
    real = pytest.importorskip("torch")
    if code is CASES["make_dual outside a level"][0]:
        pytest.skip("PyTorch's first make_dual warns about torch.jit before it raises")
    with pytest.raises(kind) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code(real)
    assert str(info.value).split(" (Triggered internally")[0] == message


def test_non_leaf_grad_warning():
    y = x4() * 2
    with pytest.warns(UserWarning) as record:
        assert y.grad is None
    assert str(record[0].message) == NON_LEAF_GRAD_WARNING
    assert NON_LEAF_GRAD_WARNING == (
        "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
        "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
        "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
        "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
        "instead. See github.com/pytorch/pytorch/pull/30531 for more information.")


def test_no_warning_for_a_leaf_or_a_retained_grad():
    x = x4()
    y = x * 2
    y.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad is None and y.grad is None


def test_float_of_a_tensor_that_requires_grad_warns_once():
    from autodiff_repl.engine.messages import WARNED_ONCE

    WARNED_ONCE.clear()  # as in a fresh process
    with pytest.warns(UserWarning) as record:
        assert float(torch.tensor(1.5, requires_grad=True)) == 1.5
        assert float(torch.tensor(2.5, requires_grad=True)) == 2.5
    assert len(record) == 1  # PyTorch's TORCH_WARN_ONCE
    assert str(record[0].message) == ("Converting a tensor with requires_grad=True to a scalar may "
                                      "lead to unexpected behavior.\nConsider using "
                                      "tensor.detach() first.")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert torch.tensor(1.5, requires_grad=True).item() == 1.5
        assert int(torch.tensor(1.5, requires_grad=True)) == 1


def test_an_error_leaves_the_graph_usable():
    x = x4()
    y = (x * x).sum()
    with pytest.raises(RuntimeError):
        (x * 2).backward()
    y.backward()
    assert x.grad.tolist() == [0.0, 2.0, 4.0, 6.0]
