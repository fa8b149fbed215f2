"""The error and warning texts of tensors' attributes and in-place updates, in PyTorch's words,
and PyTorch's once-per-process warnings."""

import warnings

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information.")
GRAD_DTYPE = (
    "attempting to assign a gradient with dtype '{}' to a tensor with grad_dtype '{}'. The "
    "gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
    "tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. Set "
    "grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may break "
    "downstream systems that assume they match.")
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_INPLACE = ("a view of a leaf Variable that requires grad is being used in an in-place "
                        "operation.")
COPY_CONSTRUCT = (  # .format(the call): torch.tensor, tensor.new_tensor
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
    "sourceTensor.detach().clone().requires_grad_(True), rather than {}(sourceTensor).")
NO_GRAD_VIEW_INPLACE = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your "
    "code by moving both the view and the inplace either both inside the no_grad block (if you "
    "don't want the inplace to be tracked) or both outside (if you want the inplace to be "
    "tracked).")
# PyTorch words the same refusal three ways: torch.tensor(..., requires_grad=True),
# t.requires_grad = True, and t.requires_grad_().
ONLY_FLOAT = "Only Tensors of floating point and complex dtype can require gradients"
ONLY_FLOAT_SETTER = "only Tensors of floating point and complex dtype can require gradients"
ONLY_FLOAT_METHOD = "only Tensors of floating point dtype can require gradients"
SCALAR_WITH_GRAD = ("Converting a tensor with requires_grad=True to a scalar may lead to "
                    "unexpected behavior.\nConsider using tensor.detach() first.")
T_OF_0D = "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases."
T_NOT_2D = ("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
            "reverse the dimensions of a tensor.")
WARNED_ONCE: set[str] = set()
"""Messages PyTorch gives once per process (``TORCH_WARN_ONCE``) that were given already;
``Session.reset`` empties it, as a fresh Python process would start empty."""




def warn_once(message: str) -> None:
    """Warn with ``message`` unless it was given already (PyTorch's ``TORCH_WARN_ONCE``)."""
    if message not in WARNED_ONCE:
        WARNED_ONCE.add(message)
        warnings.warn(message, UserWarning, stacklevel=3)
