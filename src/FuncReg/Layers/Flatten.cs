namespace FuncReg;

/// <summary>Keras <c>Flatten</c>: any shape → [product], <c>y = x</c> in row-major (channels-last) order; no computation.</summary>
public sealed record Flatten : Layer
{
    public override string Kind => "flatten";

    internal override int[] OutputShape(int[] input, string name) => [input.Aggregate(1, (a, b) => checked(a * b))];
}
