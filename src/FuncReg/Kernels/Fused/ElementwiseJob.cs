namespace FuncReg.Kernels;

/// <summary>
/// The operands of one threaded element-wise activation pass of <see cref="ActivationKernels"/>, held by its
/// <see cref="GemmContext"/> (created on first use, then reused: steady-state passes allocate nothing). Each part
/// takes a contiguous run of whole 8-float vectors (the last part also the tail), so every element goes through
/// the same code as in the one-thread pass and the result does not depend on the split.
/// </summary>
internal sealed unsafe class ElementwiseJob
{
    private readonly Action<int, int> forward, backward;
    private Activation activation;
    private float alpha;
    private float* z, a, mask, dy, output;
    private int length;

    public ElementwiseJob()
    {
        forward = Forward;
        backward = Backward;
    }

    public void RunForward(GemmContext context, Activation function, float alphaValue, ReadOnlySpan<float> input, Span<float> y)
    {
        fixed (float* pz = input, py = y)
        {
            Set(function, alphaValue, pz, null, null, null, py, input.Length);
            Run(context, forward);
        }
    }

    public void RunBackward(GemmContext context, Activation function, float alphaValue, ReadOnlySpan<float> pre, ReadOnlySpan<float> post, ReadOnlySpan<float> noise, ReadOnlySpan<float> gradient, Span<float> dz)
    {
        fixed (float* pz = pre, pa = post, pm = noise, pd = gradient, po = dz)
        {
            Set(function, alphaValue, pz, pa, pm, pd, po, gradient.Length);
            Run(context, backward);
        }
    }

    private void Set(Activation function, float alphaValue, float* pz, float* pa, float* pm, float* pd, float* po, int count)
    {
        activation = function;
        alpha = alphaValue;
        z = pz;
        a = pa;
        mask = pm;
        dy = pd;
        output = po;
        length = count;
    }

    /// <summary>Runs <paramref name="pass"/> over the context's threads, then forgets the operands (pinned only until then).</summary>
    private void Run(GemmContext context, Action<int, int> pass)
    {
        try
        {
            context.For(pass);
        }
        finally
        {
            z = a = mask = dy = output = null;
            length = 0;
        }
    }

    private (int Start, int Count) Range(int part, int parts)
    {
        int vectors = length / 8;
        (int v0, int v1) = GemmContext.Share(part, parts, vectors);
        int start = v0 * 8, end = part == parts - 1 ? length : v1 * 8;
        return (start, end - start);
    }

    private static ReadOnlySpan<float> Slice(float* p, int start, int count) => p is null ? default : new ReadOnlySpan<float>(p + start, count);

    private void Forward(int part, int parts)
    {
        (int start, int count) = Range(part, parts);
        ActivationKernels.Forward(activation, alpha, Slice(z, start, count), new Span<float>(output + start, count));
    }

    private void Backward(int part, int parts)
    {
        (int start, int count) = Range(part, parts);
        ActivationKernels.Backward(activation, alpha, Slice(z, start, count), Slice(a, start, count), Slice(mask, start, count), Slice(dy, start, count), new Span<float>(output + start, count));
    }
}
