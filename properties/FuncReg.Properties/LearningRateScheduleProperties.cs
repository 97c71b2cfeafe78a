using FuncReg.Properties.Support;

namespace FuncReg.Properties;

/// <summary>A cosine schedule's hyperparameters: W warm-up epochs (with a target when W &gt; 0 or by choice), D decay epochs, α.</summary>
internal sealed record CosineCase(double Initial, int DecayEpochs, double Alpha, double? WarmupTarget, int WarmupEpochs)
{
    public override string ToString() => Dump.Of(this);

    public CosineDecay Schedule => new(Initial, DecayEpochs) { Alpha = Alpha, WarmupTarget = WarmupTarget, WarmupEpochs = WarmupEpochs };

    public double Peak => WarmupTarget ?? Initial;
}

/// <summary>Invariants of the learning-rate schedules over their whole range of hyperparameters.</summary>
public sealed class LearningRateScheduleProperties
{
    private static Gen<double> Rate => Gen.Choose(-50, 0).Select(k => Math.Pow(10, k / 10.0)); // 1e-5 … 1

    private static Gen<CosineCase> Cases =>
        from initial in Rate
        from decay in Gen.Choose(1, 300)
        from alpha in Gen.OneOf(Gen.Constant(0.0), Gen.Constant(1.0), Gen.Choose(0, 1000).Select(i => i / 1000.0))
        from warmup in Gen.Choose(0, 20)
        from target in Gen.OneOf(Rate.Select(r => (double?)r), Gen.Constant((double?)null))
        select new CosineCase(initial, decay, alpha, warmup > 0 ? target ?? initial * 10 : target, warmup);

    [Fact]
    public void Cosine_decay_never_rises_after_the_warm_up_stays_within_peak_and_floor_and_ends_at_alpha_times_peak()
    {
        Run.Check(Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            CosineDecay s = c.Schedule;
            int w = c.WarmupEpochs, end = w + c.DecayEpochs;
            double floor = c.Alpha * c.Peak, slack = 1e-12 * c.Peak;
            for (int e = w; e < end + 3; e++)
            {
                double now = s.At(e), next = s.At(e + 1);
                if (next > now || now > c.Peak + slack || now < floor - slack)
                {
                    return false;
                }
            }
            for (int e = 0; e < w; e++)
            {
                // linear warm-up: between the initial rate and the target, moving towards the target
                double now = s.At(e), next = s.At(e + 1), lo = Math.Min(c.Initial, c.Peak) - slack, hi = Math.Max(c.Initial, c.Peak) + slack;
                if (now < lo || now > hi || (c.Peak >= c.Initial ? next < now : next > now))
                {
                    return false;
                }
            }
            double first = w > 0 ? c.Initial : c.Peak; // with no warm-up epochs a warm-up target is simply the peak (Keras)
            return Math.Abs(s.At(0) - first) <= 1e-12 * first && Math.Abs(s.At(w) - c.Peak) <= slack && s.At(end) == floor && s.At(end + 1000) == floor;
        }), 300);
    }

    [Fact]
    public void Step_and_exponential_decay_never_rise_and_shrink_by_their_factor_per_period()
    {
        Gen<(double Initial, int Period, double Factor, bool Staircase)> cases =
            from initial in Rate
            from period in Gen.Choose(1, 30)
            from factor in Gen.Choose(1, 999).Select(i => i / 1000.0)
            from staircase in Gen.Elements(false, true)
            select (initial, period, factor, staircase);
        Run.Check(Prop.ForAll(cases.ToArbitrary(), c =>
        {
            LearningRateSchedule[] schedules =
            [
                new StepDecay(c.Initial, c.Period, c.Factor),
                new ExponentialDecay(c.Initial, c.Period, c.Factor) { Staircase = c.Staircase },
            ];
            foreach (LearningRateSchedule s in schedules)
            {
                for (int e = 0; e < 3 * c.Period; e++)
                {
                    double now = s.At(e), later = s.At(e + c.Period);
                    if (s.At(e + 1) > now || Math.Abs(later - (now * c.Factor)) > 1e-12 * now)
                    {
                        return false;
                    }
                }
            }
            return true;
        }), 200);
    }
}
