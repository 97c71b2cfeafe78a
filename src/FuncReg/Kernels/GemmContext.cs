using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FuncReg.Kernels;

/// <summary>
/// Reusable workspace for <see cref="Gemm"/>: packing buffers for each thread and, when
/// <see cref="ThreadCount"/> &gt; 1, a small pool of persistent worker threads. Buffers grow on
/// demand to the largest problem seen, so after a warm-up call of each shape, calls allocate 0 bytes.
/// </summary>
/// <remarks>
/// A context serves one <see cref="Gemm.Multiply"/> call at a time (concurrent use throws
/// <see cref="InvalidOperationException"/>). Results do not depend on <see cref="ThreadCount"/>:
/// threads split the output tiles and every element is reduced over k in the same order.
/// Dispose the context to stop its worker threads.
/// </remarks>
public sealed class GemmContext : IDisposable
{
    [ThreadStatic]
    private static GemmContext? t_default;

    private readonly PackBuffers[] _buffers;
    private readonly GemmWorkerPool? _pool;
    private GemmJob[] _jobs = [];
    private PartsJob? _parts;
    private ElementwiseJob? _elementwise;
    private int _busy;
    private bool _disposed;

    /// <summary>Creates a context using up to <paramref name="threadCount"/> threads.</summary>
    /// <param name="threadCount">
    /// Threads per call including the caller's; at least 1, clamped to <see cref="Environment.ProcessorCount"/>.
    /// </param>
    public GemmContext(int threadCount = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        ThreadCount = Math.Min(threadCount, Environment.ProcessorCount);
        _buffers = new PackBuffers[ThreadCount];
        for (int i = 0; i < _buffers.Length; i++)
        {
            _buffers[i] = new PackBuffers();
        }

        if (ThreadCount > 1)
        {
            _pool = new GemmWorkerPool(ThreadCount - 1);
        }
    }

    /// <summary>Number of threads (including the caller's) a large multiplication is split over.</summary>
    public int ThreadCount { get; }

    /// <summary>Forces a micro-kernel (tests use it to exercise the fallbacks); <c>Auto</c> by default.</summary>
    internal GemmKernelPath KernelPath { get; set; } = GemmKernelPath.Auto;

    /// <summary>Whether products up to <see cref="Gemm.SmallThreshold"/> take the direct path (tests turn it off to compare).</summary>
    internal bool SmallPath { get; set; } = true;

    /// <summary>Whether the small path may use the narrow-shape kernels of <see cref="GemmTiny"/> (tests turn it off to compare with the packed path bit for bit).</summary>
    internal bool TinyPath { get; set; } = true;

    /// <summary>The single-threaded context used when a caller passes none (one per calling thread).</summary>
    internal static GemmContext DefaultForCurrentThread => t_default ??= new GemmContext(1);

    internal GemmWorkerPool? Pool => _pool;

    internal PackBuffers Buffers(int part) => _buffers[part];

    /// <summary>Stops the worker threads if the context was not disposed (the workers only reference the pool).</summary>
    ~GemmContext() => _pool?.Stop(join: false);

    /// <summary>Stops the worker threads. The context cannot be used afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _pool?.Dispose();
        GC.SuppressFinalize(this);
    }

    internal void Enter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException("A GemmContext serves one multiplication at a time.");
        }
    }

    internal void Exit() => Volatile.Write(ref _busy, 0);

    /// <summary>
    /// Runs <c>body(part, parts)</c> for every part, parts = <see cref="ThreadCount"/>, on the GEMM worker threads (one
    /// after the other with one thread). Callers split their work so that the result does not depend on the split;
    /// steady-state calls allocate nothing when <paramref name="body"/> is a cached delegate.
    /// </summary>
    internal void For(Action<int, int> body)
    {
        int parts = ThreadCount;
        if (parts == 1 || _pool is null)
        {
            body(0, 1);
            return;
        }
        Enter();
        try
        {
            _parts ??= new PartsJob(this);
            _parts.Body = body;
            _parts.Parts = parts;
            _pool.Run(_parts, parts);
        }
        finally
        {
            _parts!.Body = null;
            Exit();
        }
    }

    /// <summary>The operands of this context's threaded element-wise passes (created on first use).</summary>
    internal ElementwiseJob Elementwise => _elementwise ??= new ElementwiseJob();

    /// <summary>The contiguous share <c>[start, end)</c> of <paramref name="count"/> items that part <paramref name="part"/> of <paramref name="parts"/> takes.</summary>
    internal static (int Start, int End) Share(int part, int parts, int count) =>
        ((int)((long)count * part / parts), (int)((long)count * (part + 1) / parts));

    /// <summary>Returns the cached job for this epilogue type (allocated on first use only).</summary>
    internal GemmJob<TEpilogue> Job<TEpilogue>()
        where TEpilogue : struct, IGemmEpilogue
    {
        foreach (GemmJob job in _jobs)
        {
            if (job is GemmJob<TEpilogue> typed)
            {
                return typed;
            }
        }

        var created = new GemmJob<TEpilogue>(this);
        _jobs = [.. _jobs, created];
        return created;
    }
}

/// <summary>64-byte aligned packing buffers for one thread, grown on demand.</summary>
internal sealed unsafe class PackBuffers
{
    private float[] _a = [];
    private float[] _b = [];
    private float[] _scratch = [];

    public float* A { get; private set; }

    public float* B { get; private set; }

    /// <summary>Room for the im2col rows of an implicit-A product (<see cref="Gemm.MultiplyImages"/>).</summary>
    public float* Scratch { get; private set; }

    public void EnsureScratch(int floats)
    {
        if (_scratch.Length < floats + 16)
        {
            _scratch = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
            Scratch = Align(_scratch);
        }
    }

    public void Ensure(int aFloats, int bFloats)
    {
        if (_a.Length < aFloats + 16)
        {
            _a = GC.AllocateUninitializedArray<float>(aFloats + 16, pinned: true);
            A = Align(_a);
        }

        if (_b.Length < bFloats + 16)
        {
            _b = GC.AllocateUninitializedArray<float>(bFloats + 16, pinned: true);
            B = Align(_b);
        }
    }

    private static float* Align(float[] pinned)
    {
        nuint address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
        return (float*)((address + 63) & ~(nuint)63);
    }
}

/// <summary>The job of <see cref="GemmContext.For"/>: part i runs the body on its share.</summary>
internal sealed class PartsJob(GemmContext context) : GemmJob(context)
{
    internal Action<int, int>? Body;
    internal int Parts;

    public override void Execute(int part) => Body!(part, Parts);
}
