using System.Runtime.ExceptionServices;

namespace FuncReg.Kernels;

/// <summary>
/// Persistent worker threads parked on events. <see cref="Run"/> hands part i (i ≥ 1) of a job
/// to worker i-1, runs part 0 on the calling thread and returns when all parts are done.
/// Steady-state runs allocate nothing.
/// </summary>
internal sealed class GemmWorkerPool : IDisposable
{
    private const int SpinCount = 200;

    private readonly Thread[] _threads;
    private readonly GemmSignal[] _start;
    private readonly GemmSignal _done = new(SpinCount);
    private GemmJob? _job;
    private ExceptionDispatchInfo? _error;
    private int _remaining;
    private volatile bool _stopping;

    public GemmWorkerPool(int workerCount)
    {
        _threads = new Thread[workerCount];
        _start = new GemmSignal[workerCount];
        for (int i = 0; i < workerCount; i++)
        {
            _start[i] = new GemmSignal(SpinCount);
            _threads[i] = new Thread(WorkerLoop)
            {
                IsBackground = true,
                Name = $"FuncReg GEMM worker {i + 1}",
            };
            _threads[i].Start(i);
        }
    }

    public int WorkerCount => _threads.Length;

    /// <summary>Runs parts 0 .. <paramref name="parts"/>-1 of <paramref name="job"/>; rethrows the first failure.</summary>
    public void Run(GemmJob job, int parts)
    {
        int helpers = parts - 1;
        _job = job;
        _error = null;
        _done.Reset();
        Volatile.Write(ref _remaining, helpers);
        for (int i = 0; i < helpers; i++)
        {
            _start[i].Set();
        }

        ExceptionDispatchInfo? local = null;
        try
        {
            job.Execute(0);
        }
        catch (Exception e)
        {
            local = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            if (helpers > 0)
            {
                _done.Wait();
            }

            _job = null;
        }

        local?.Throw();
        _error?.Throw();
    }

    public void Dispose() => Stop(join: true);

    /// <summary>Wakes every worker with the stop flag set; <paramref name="join"/> waits for them to exit.</summary>
    public void Stop(bool join)
    {
        _stopping = true;
        foreach (GemmSignal start in _start)
        {
            start.Set();
        }

        if (join)
        {
            foreach (Thread thread in _threads)
            {
                thread.Join();
            }
        }
    }

    private void WorkerLoop(object? state)
    {
        int index = (int)state!;
        GemmSignal start = _start[index];
        while (true)
        {
            start.Wait();
            start.Reset();
            if (_stopping)
            {
                return;
            }

            try
            {
                _job!.Execute(index + 1);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null);
            }

            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _done.Set();
            }
        }
    }
}
