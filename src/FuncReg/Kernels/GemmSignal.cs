namespace FuncReg.Kernels;

/// <summary>
/// A manual-reset event for the GEMM worker pool: waiters spin briefly (GEMM calls often come
/// back to back) and then park on a monitor. Unlike <see cref="ManualResetEventSlim"/>, which
/// creates its lock object the first time a wait blocks, it allocates nothing after construction.
/// </summary>
internal sealed class GemmSignal
{
    private readonly object _gate = new();
    private readonly int _spinIterations;
    private volatile bool _isSet;

    public GemmSignal(int spinIterations) => _spinIterations = spinIterations;

    public void Set()
    {
        lock (_gate)
        {
            _isSet = true;
            Monitor.PulseAll(_gate);
        }
    }

    public void Reset() => _isSet = false;

    public void Wait()
    {
        var spinner = default(SpinWait);
        for (int i = 0; i < _spinIterations && !_isSet; i++)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        if (_isSet)
        {
            return;
        }

        lock (_gate)
        {
            while (!_isSet)
            {
                Monitor.Wait(_gate);
            }
        }
    }
}
