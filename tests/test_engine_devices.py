"""What a CPU-only PyTorch says about devices, integer division by zero, gradient dtypes,
``torch.linalg`` norms, the reprs of handles and grad modes, and arguments of the wrong type
(``x @ 3``, ``backward(gradient=2.0)``) -- pinned as strings, and compared with PyTorch where it
is installed. The ``CASES`` table is run by ``test_names_engine`` with its own (engine and torch);
the tests below are the ones a table can't hold."""

from __future__ import annotations

import pytest

import autodiff_repl.engine as torch


def _grad(t, values, fn):
    """``x.grad`` after ``fn(x).backward()`` for a fresh ``x`` holding ``values``."""
    x = t.tensor(values, requires_grad=True)
    fn(x).backward()
    return x.grad


NO_CUDA = "AssertionError: Torch not compiled with CUDA enabled"
CASES = {
    "cuda_available": (lambda t: t.cuda.is_available(), "False"),
    "cuda_count": (lambda t: t.cuda.device_count(), "0"),
    "device_cpu": (lambda t: t.device("cpu"), "device(type='cpu')"),
    "device_cuda_index": (lambda t: t.device("cuda", 1), "device(type='cuda', index=1)"),
    "device_string_index": (lambda t: t.device("cuda:0"), "device(type='cuda', index=0)"),
    "device_str": (lambda t: str(t.ones(2).device), "'cpu'"),
    "device_equal": (lambda t: t.ones(2).device == t.device("cpu"), "True"),
    "device_unknown": (lambda t: t.device("gpu"),
                       "RuntimeError: Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, "
                       "ideep, hip, ve, fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, "
                       "privateuseone device type at start of device string: gpu"),
    "to_cuda": (lambda t: t.ones(2).to("cuda"), NO_CUDA),
    "to_cuda_keyword": (lambda t: t.ones(2).to(device="cuda:0"), NO_CUDA),
    "to_cuda_device": (lambda t: t.ones(2).to(t.device("cuda")), NO_CUDA),
    "cuda_method": (lambda t: t.ones(2).cuda(), NO_CUDA),
    "to_cpu": (lambda t: t.ones(2, requires_grad=True).to("cpu"),
               "tensor([1., 1.], requires_grad=True)"),
    "to_cpu_and_dtype": (lambda t: t.ones(2, requires_grad=True).to("cpu", t.float64),
                         "tensor([1., 1.], dtype=torch.float64, grad_fn=<ToCopyBackward0>)"),
    "to_like": (lambda t: t.ones(2).to(t.zeros(1, dtype=t.float64)),
                "tensor([1., 1.], dtype=torch.float64)"),
    "to_copy": (lambda t: (lambda x: x.to("cpu", copy=True) is x)(t.ones(2)), "False"),
    "int_floor_divide_by_zero": (lambda t: t.tensor(1) // 0, "RuntimeError: ZeroDivisionError"),
    "int_remainder_by_zero": (lambda t: t.tensor([1, 2]) % t.tensor([1, 0]),
                              "RuntimeError: ZeroDivisionError"),
    "int_trunc_by_zero": (lambda t: t.div(t.tensor(5), 0, rounding_mode="trunc"),
                          "RuntimeError: ZeroDivisionError"),
    "float_floor_divide_by_zero": (lambda t: t.tensor(1.0) // 0, "tensor(inf)"),
    "float_remainder_by_zero": (lambda t: t.tensor(1.0) % 0, "tensor(nan)"),
    "linalg_norm_vector": (lambda t: t.linalg.norm(t.arange(4.0, requires_grad=True)),
                           "tensor(3.7417, grad_fn=<LinalgVectorNormBackward0>)"),
    "linalg_norm_frobenius": (lambda t: t.linalg.norm(t.arange(4.0).reshape(2, 2)),
                              "tensor(3.7417)"),
    "linalg_norm_columns": (
        lambda t: t.linalg.norm(t.arange(4.0).reshape(2, 2).requires_grad_(), ord=1),
        "tensor(4., grad_fn=<AmaxBackward0>)"),
    "linalg_norm_rows": (lambda t: t.linalg.norm(t.arange(4.0).reshape(2, 2), ord=-float("inf")),
                         "tensor(1.)"),
    "linalg_norm_vector_ord": (lambda t: t.linalg.norm(t.arange(3.0), ord=1), "tensor(3.)"),
    "linalg_norm_int": (lambda t: t.linalg.norm(t.arange(3)),
                        "RuntimeError: linalg.vector_norm: Expected a floating point or complex "
                        "tensor as input. Got Long"),
    "linalg_vector_norm": (
        lambda t: t.linalg.vector_norm(t.arange(4.0).reshape(2, 2), ord=1, dim=0, keepdim=True),
        "tensor([[2., 4.]])"),
    "hook_handle": (lambda t: t.ones(2, requires_grad=True).register_hook(lambda g: g),
                    "<torch.utils.hooks.RemovableHandle object at 0x…>"),
    "no_grad_repr": (lambda t: t.no_grad(), "<torch.autograd.grad_mode.no_grad object at 0x…>"),
    "set_grad_enabled_repr": (lambda t: t.set_grad_enabled(True),
                              "torch.autograd.grad_mode.set_grad_enabled(mode=True)"),
    "matmul_operator_number": (lambda t: t.ones(3) @ 3,
                               "TypeError: unsupported operand type(s) for @: 'Tensor' and 'int'"),
    "matmul_operator_reflected": (lambda t: 3 @ t.ones(3),
                                  "TypeError: unsupported operand type(s) for @: 'int' and "
                                  "'Tensor'"),
    "matmul_function_number": (lambda t: t.matmul(t.ones(3), 3),
                               "TypeError: matmul(): argument 'other' (position 2) must be "
                               "Tensor, not int"),
    "matmul_method_list": (lambda t: t.ones(3).matmul([1.0, 2.0, 3.0]),
                           "TypeError: matmul(): argument 'other' (position 1) must be Tensor, "
                           "not list"),
    "mm_number": (lambda t: t.mm(t.ones(2, 3), 3),
                  "TypeError: mm(): argument 'mat2' (position 2) must be Tensor, not int"),
    "dot_number_first": (lambda t: t.dot(3, t.ones(3)),
                         "TypeError: dot(): argument 'input' (position 1) must be Tensor, not int"),
    "dot_method": (lambda t: t.ones(3).dot(3),
                   "TypeError: dot(): argument 'tensor' (position 1) must be Tensor, not int"),
    "mv_method": (lambda t: t.ones(2, 3).mv(3),
                  "TypeError: mv(): argument 'vec' (position 1) must be Tensor, not int"),
    "backward_number_gradient": (
        lambda t: t.ones(3, requires_grad=True).sum().backward(gradient=2.0),
        "TypeError: 'float' object is not iterable"),
    "backward_list_gradient": (
        lambda t: t.ones(3, requires_grad=True).sum().backward(gradient=[1.0]),
        "TypeError: gradients can be either Tensors or None, but got float"),
    "inf_norm": (lambda t: t.tensor([3.0, -4.0, 1.0]).norm(p=float("inf")), "tensor(4.)"),
    "inf_norm_ties_share_the_gradient": (lambda t: _grad(t, [4.0, -4.0, 1.0], lambda x: (
        t.linalg.vector_norm(x, ord=float("inf")))), "tensor([ 0.5000, -0.5000,  0.0000])"),
    "minus_inf_norm_gradient": (lambda t: _grad(t, [3.0, -4.0, 1.0], lambda x: (
        t.linalg.vector_norm(x, ord=-float("inf")))), "tensor([0., -0., 1.])"),
    "inf_norm_rows": (lambda t: _grad(t, [[3.0, -4.0], [1.0, 1.0]], lambda x: (
        t.linalg.vector_norm(x, ord=float("inf"), dim=1).sum())),
        "tensor([[ 0.0000, -1.0000],\n        [ 0.5000,  0.5000]])"),
    "zero_norm_counts": (lambda t: t.norm(t.tensor([0.0, 2.0, -2.0]), p=0), "tensor(2.)"),
    "zero_norm_gradient_undefined": (
        lambda t: _grad(t, [3.0, 0.0, 1.0], lambda x: t.linalg.vector_norm(x, ord=0)), "None"),
    "prod_two_zeros_gradient": (lambda t: _grad(t, [0.0, 0.0, 1.0, -2.0], lambda x: x.prod()),
                                "tensor([0., 0., 0., 0.])"),
    "prod_one_zero_gradient": (lambda t: _grad(t, [0.0, 3.0, 1.0, -2.0], lambda x: x.prod()),
                               "tensor([-6., -0., -0.,  0.])"),
    "backward_tuple_gradient": (
        lambda t: (lambda x: (x.sum().backward(gradient=(t.tensor(2.0),)), x.grad)[1])(
            t.ones(3, requires_grad=True)),
        "tensor([2., 2., 2.])"),
}

# Every creation function's ``device=``: a GPU gets PyTorch's AssertionError, as ``x.to("cuda")``.
CREATION_DEVICES = {
    "ones_cuda": (lambda t: t.ones(2, device="cuda"),
                  "AssertionError: Torch not compiled with CUDA enabled"),
    "ones_cuda_1": (lambda t: t.ones(2, device="cuda:1"),
                    "AssertionError: Torch not compiled with CUDA enabled"),
    "ones_cpu": (lambda t: t.ones(2, device="cpu"), "tensor([1., 1.])"),
    "ones_device_object": (lambda t: t.ones(2, device=t.device("cuda")),
                           "AssertionError: Torch not compiled with CUDA enabled"),
    "ones_gpu": (lambda t: t.ones(2, device="gpu"),
                 "RuntimeError: Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, "
                 "opencl, ideep, hip, ve, fpga, maia, xla, lazy, vulkan, mps, meta, "
                 "hpu, mtia, privateuseone device type at start of device string: gpu"),
    "zeros_cuda": (lambda t: t.zeros(2, 3, device="cuda"),
                   "AssertionError: Torch not compiled with CUDA enabled"),
    "empty_cuda": (lambda t: t.empty(2, device="cuda"),
                   "AssertionError: Torch not compiled with CUDA enabled"),
    "full_cuda": (lambda t: t.full((2,), 1.0, device="cuda"),
                  "AssertionError: Torch not compiled with CUDA enabled"),
    "tensor_cuda": (lambda t: t.tensor([1.0], device="cuda"),
                    "AssertionError: Torch not compiled with CUDA enabled"),
    "tensor_cpu": (lambda t: t.tensor([1.0], device="cpu", requires_grad=True),
                   "tensor([1.], requires_grad=True)"),
    "as_tensor_cuda": (lambda t: t.as_tensor([1.0], device="cuda"),
                       "AssertionError: Torch not compiled with CUDA enabled"),
    "zeros_like_cuda": (lambda t: t.zeros_like(t.ones(2), device="cuda"),
                        "AssertionError: Torch not compiled with CUDA enabled"),
    "ones_like_cuda": (lambda t: t.ones_like(t.ones(2), device="cuda"),
                       "AssertionError: Torch not compiled with CUDA enabled"),
    "full_like_cuda": (lambda t: t.full_like(t.ones(2), 3.0, device="cuda"),
                       "AssertionError: Torch not compiled with CUDA enabled"),
    "empty_like_cuda": (lambda t: t.empty_like(t.ones(2), device="cuda"),
                        "AssertionError: Torch not compiled with CUDA enabled"),
    "rand_like_cuda": (lambda t: t.rand_like(t.ones(2), device="cuda"),
                       "AssertionError: Torch not compiled with CUDA enabled"),
    "randn_like_cuda": (lambda t: t.randn_like(t.ones(2), device="cuda"),
                        "AssertionError: Torch not compiled with CUDA enabled"),
    "arange_cuda": (lambda t: t.arange(3, device="cuda"),
                    "AssertionError: Torch not compiled with CUDA enabled"),
    "linspace_cuda": (lambda t: t.linspace(0, 1, 3, device="cuda"),
                      "AssertionError: Torch not compiled with CUDA enabled"),
    "eye_cuda": (lambda t: t.eye(2, device="cuda"),
                 "AssertionError: Torch not compiled with CUDA enabled"),
    "rand_cuda": (lambda t: t.rand(2, device="cuda"),
                  "AssertionError: Torch not compiled with CUDA enabled"),
    "randn_cuda": (lambda t: t.randn(2, device="cuda"),
                   "AssertionError: Torch not compiled with CUDA enabled"),
    "randint_cuda": (lambda t: t.randint(0, 3, (2,), device="cuda"),
                     "AssertionError: Torch not compiled with CUDA enabled"),
    "normal_cuda": (lambda t: t.normal(0.0, 1.0, (2,), device="cuda"),
                    "AssertionError: Torch not compiled with CUDA enabled"),
    "randperm_cuda": (lambda t: t.randperm(3, device="cuda"),
                      "AssertionError: Torch not compiled with CUDA enabled"),
    "new_zeros_cuda": (lambda t: t.ones(2).new_zeros(2, device="cuda"),
                       "AssertionError: Torch not compiled with CUDA enabled"),
    "new_ones_cuda": (lambda t: t.ones(2).new_ones(2, device="cuda"),
                      "AssertionError: Torch not compiled with CUDA enabled"),
    "new_full_cuda": (lambda t: t.ones(2).new_full((2,), 1.0, device="cuda"),
                      "AssertionError: Torch not compiled with CUDA enabled"),
    "new_tensor_cuda": (lambda t: t.ones(2).new_tensor([1.0], device="cuda"),
                        "AssertionError: Torch not compiled with CUDA enabled"),
    "new_empty_cuda": (lambda t: t.ones(2).new_empty(2, device="cuda"),
                       "AssertionError: Torch not compiled with CUDA enabled"),
    "device_index_int": (lambda t: t.ones(2, device=0),
                         "RuntimeError: Cannot access accelerator device when none is available."),
    "zeros_cpu_device": (lambda t: t.zeros(2, device=t.device("cpu")), "tensor([0., 0.])"),
}
CASES |= {f"creation_{k}": case for k, case in CREATION_DEVICES.items()}


@pytest.mark.parametrize(("grad_dtype", "cpp"), [
    ("int64", "long int"), ("float64", "double"), ("float16", "c10::Half"), ("bool", "bool"),
    ("int32", "int"), ("uint8", "unsigned char")])
def test_a_gradient_of_another_dtype_is_refused(grad_dtype, cpp):
    x = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError) as caught:
        x.grad = torch.zeros(3, dtype=getattr(torch, grad_dtype))
    assert str(caught.value).startswith(
        f"attempting to assign a gradient with dtype '{cpp}' to a tensor with grad_dtype 'Float'. "
        "The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype).")
    assert x.grad is None
    x.grad = torch.zeros(3)  # the same dtype is fine
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_the_gradient_dtype_message_is_pytorchs():
    real = pytest.importorskip("torch")

    def message(module) -> str:
        x = module.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError) as caught:
            x.grad = module.zeros(3, dtype=module.float64)
        return str(caught.value)

    assert message(torch) == message(real)


def test_the_gradient_of_a_column_norm_is_pytorchs():
    x = torch.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    torch.linalg.norm(x, ord=1).backward()  # the second column's |.| sum is the largest
    assert x.grad.tolist() == [[0.0, -1.0], [0.0, 1.0]]


def test_float_division_by_zero_gives_no_numpy_warning(recwarn):
    torch.tensor([1.0, 0.0]) // 0
    torch.tensor([1.0, 0.0]) % 0
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
