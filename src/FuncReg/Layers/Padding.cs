namespace FuncReg;

/// <summary>
/// How a sliding window (convolution or pooling) treats the border, as Keras's <c>padding</c>.
/// <see cref="Valid"/>: no padding, <c>out = ⌊(in − k)/s⌋ + 1</c> (needs in ≥ k).
/// <see cref="Same"/>: <c>out = ⌈in/s⌉</c>, <c>pad_total = max((out − 1)·s + k − in, 0)</c>,
/// <c>pad_before = ⌊pad_total/2⌋</c>, the rest after (TensorFlow's rule).
/// </summary>
public enum Padding
{
    Valid,
    Same,
}
