namespace ConvGen.Engines;

// How calls from several threads share one engine (the contract, as users see it, is on Model):
//
// - The engine's own workspaces and its worker team serve one call at a time: the call that holds the gate. A call that
//   finds the gate taken by an inference on another thread either runs beside it on the caller's thread with a
//   workspace of its own (a batch the engine would run on one thread anyway, so the result is the same to the bit), or
//   waits for the gate (a batch that would use the worker team, which is busy and would only be oversubscribed).
// - Training (a Fit, or a bare training step) and writing the weights (SetWeights, Load) change what every inference
//   reads: they take the gate only when no inference runs anywhere (_readers counts those outside the gate), and an
//   inference that meets them on another thread is refused. Each side publishes itself with an interlocked operation
//   before it looks at the other, so at least one of two racing callers sees the other.
// - The thread that holds the gate may call in again (an Evaluate from a callback of its own Fit): nested calls run in
//   the holder's context, which the holder is not using at that moment.
// A single caller pays two interlocked operations per call (taking and releasing the gate). The gate is not a Lock:
// Lock.TryEnter (like Monitor.TryEnter) spins while the holder is busy, so a short call would always end up waiting its
// turn instead of running beside the holder.
public abstract partial class Engine
{
    private readonly SemaphoreSlim _gateReleased = new(0);
    private int _holder;
    private int _gateWaiters;
    private int _use;
    private int _readers;
    private long _callsRunAlone;

    /// <summary>What the thread holding the gate is doing (meaningful while it is held; None once released).</summary>
    private enum Use
    {
        None,
        Inference,
        TrainingStep,
        Training,
        Writing,
        Configuring,
    }

    /// <summary>How a call got to run.</summary>
    internal enum Entry
    {
        /// <summary>It holds the gate: the engine's own workspaces and threads.</summary>
        Held,

        /// <summary>Its thread already held the gate (a call from inside a Fit).</summary>
        Nested,

        /// <summary>Beside the holder, on the caller's thread, with a workspace of its own; or a reader spanning several
        /// calls (registered in _readers).</summary>
        Alone,
    }

    /// <summary>How many calls so far ran beside another on a workspace of their own (for tests and diagnostics).</summary>
    internal long CallsRunAlone => Volatile.Read(ref _callsRunAlone);

    private Use CurrentUse => (Use)Volatile.Read(ref _use);

    /// <summary>Whether the calling thread holds the gate (then its calls are nested in its own).</summary>
    private bool HoldsGate => Volatile.Read(ref _holder) == Environment.CurrentManagedThreadId;

    /// <summary>Takes the gate if it is free, without waiting or spinning.</summary>
    private bool TryTakeGate() => Interlocked.CompareExchange(ref _holder, Environment.CurrentManagedThreadId, 0) == 0;

    /// <summary>Takes the gate, waiting for its holder: spinning briefly, then blocking until a release (or a
    /// millisecond, the bound on a missed wake-up). Gives up when <paramref name="stop"/> says so.</summary>
    private bool TakeGate(Func<Engine, bool>? stop = null)
    {
        Interlocked.Increment(ref _gateWaiters);
        try
        {
            var spinner = default(SpinWait);
            while (!TryTakeGate())
            {
                if (stop is not null && stop(this))
                {
                    return false;
                }

                if (spinner.NextSpinWillYield)
                {
                    _gateReleased.Wait(1);
                }
                else
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                }
            }

            return true;
        }
        finally
        {
            Interlocked.Decrement(ref _gateWaiters);
        }
    }

    /// <summary>Frees the gate and wakes a waiter, if any. The exchange orders the release before the look at the
    /// waiters, as a waiter's increment comes before its next try: one of the two always sees the other.</summary>
    private void ReleaseGate()
    {
        Interlocked.Exchange(ref _holder, 0);
        if (Volatile.Read(ref _gateWaiters) > 0 && _gateReleased.CurrentCount == 0)
        {
            _gateReleased.Release();
        }
    }

    /// <summary>Whether a batch of <paramref name="count"/> samples can run on the caller's thread, beside a call in
    /// progress, with a workspace of its own, and give exactly the result it gets when it holds the engine.</summary>
    private protected virtual bool CanRunAlone(int count) => false;

    /// <summary><see cref="Predict"/> on the caller's thread with a workspace of its own (see
    /// <see cref="CanRunAlone"/>).</summary>
    private protected virtual void PredictAlone(ModelBuffers buffers, ReadOnlySpan<float> images, int count, Span<float> probabilities) =>
        throw new NotSupportedException();

    /// <summary><see cref="Evaluate"/> on the caller's thread with a workspace of its own.</summary>
    private protected virtual BatchMetrics EvaluateAlone(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count) =>
        throw new NotSupportedException();

    /// <summary>
    /// <see cref="Predict"/> without the gate, for the benchmark that measures what the gate costs a single caller
    /// (ConcurrentPredictionBenchmarks): safe only when no other thread uses the engine.
    /// </summary>
    internal void PredictUngated(ModelBuffers buffers, ReadOnlySpan<float> images, int count, Span<float> probabilities) =>
        PredictCore(buffers, images, count, probabilities);

    /// <summary>Enters an inference of <paramref name="count"/> samples: holding the gate, nested, or alone beside the
    /// holder; waits for the holder when the batch needs the engine's threads; refuses while another thread trains.</summary>
    private Entry EnterInference(int count)
    {
        if (TryTakeGate())
        {
            Volatile.Write(ref _use, (int)Use.Inference);
            return Entry.Held;
        }

        if (HoldsGate)
        {
            return Entry.Nested;
        }

        Use use = CurrentUse;
        if (IsWriting(use))
        {
            throw Busy(use, "predict or evaluate");
        }

        if (CanRunAlone(count))
        {
            Interlocked.Increment(ref _readers);
            use = CurrentUse;
            if (!IsWriting(use))
            {
                Interlocked.Increment(ref _callsRunAlone);
                return Entry.Alone;
            }

            Interlocked.Decrement(ref _readers);
            throw Busy(use, "predict or evaluate");
        }

        // Wait for the holder; a Fit that takes the engine meanwhile is refused, not waited for.
        if (!TakeGate(static engine => IsWriting(engine.CurrentUse)))
        {
            throw Busy(CurrentUse, "predict or evaluate");
        }

        Volatile.Write(ref _use, (int)Use.Inference);
        return Entry.Held;
    }

    /// <summary>Enters a training step: nested in a Fit of this thread, or holding the gate when no other thread uses
    /// the engine; refused otherwise.</summary>
    private Entry EnterTrainingStep()
    {
        if (HoldsGate)
        {
            return Entry.Nested;
        }

        EnterExclusive(Use.TrainingStep, "run a training step");
        return Entry.Held;
    }

    /// <summary>Takes the gate for <paramref name="use"/> when no other thread uses the engine (no holder, no reader);
    /// throws <see cref="InvalidOperationException"/> otherwise.</summary>
    private void EnterExclusive(Use use, string action)
    {
        if (!TryTakeGate())
        {
            throw Busy(CurrentUse, action);
        }

        Interlocked.Exchange(ref _use, (int)use);
        if (Volatile.Read(ref _readers) > 0)
        {
            Release();
            throw Busy(Use.Inference, action);
        }
    }

    private void Leave(Entry entry)
    {
        if (entry == Entry.Held)
        {
            Release();
        }
        else if (entry == Entry.Alone)
        {
            Interlocked.Decrement(ref _readers);
        }
    }

    private void Release()
    {
        Volatile.Write(ref _use, (int)Use.None);
        ReleaseGate();
    }

    /// <summary>
    /// Keeps the engine for <see cref="Model.Fit"/> until the scope is disposed: its training steps (and any inference
    /// its callbacks run on the same thread) run inside it; every other thread's call is refused meanwhile. Refused
    /// when another thread uses the engine, and inside a Fit of the same thread.
    /// </summary>
    internal Scope EnterTraining()
    {
        if (HoldsGate)
        {
            throw new InvalidOperationException(
                $"Model '{Description.Name}' cannot start a Fit from inside its own Fit, Predict or Evaluate (a callback, say); start it after the running one returns.");
        }

        EnterExclusive(Use.Training, "start a Fit");
        return new Scope(this, Entry.Held);
    }

    /// <summary>Keeps the engine while the weights are replaced (<see cref="Model.SetWeights"/>, <see cref="Model.Load"/>,
    /// <see cref="Model.InitializeWeights"/>): refused while another thread uses it; nested inside a Fit of this
    /// thread (a callback restoring weights).</summary>
    internal Scope EnterWriting(string action)
    {
        if (HoldsGate)
        {
            return new Scope(this, Entry.Nested);
        }

        EnterExclusive(Use.Writing, action);
        return new Scope(this, Entry.Held);
    }

    /// <summary>Registers an operation of several inference calls (<see cref="Model.Evaluate"/>, <see cref="Model.Predict(Dataset, int)"/>),
    /// or one that reads the weights (<see cref="Model.GetWeights"/>), for its whole length, so no Fit or weight change
    /// starts meanwhile; its calls still take the gate one at a time. Refused while another thread trains.</summary>
    internal Scope EnterReading(string action = "predict or evaluate")
    {
        if (HoldsGate)
        {
            return new Scope(this, Entry.Nested);
        }

        Interlocked.Increment(ref _readers);
        Use use = CurrentUse;
        if (IsWriting(use))
        {
            Interlocked.Decrement(ref _readers);
            throw Busy(use, action);
        }

        return new Scope(this, Entry.Alone);
    }

    /// <summary>Keeps the engine while its configuration changes (its thread count, its worker team): waits for the
    /// call in progress when <paramref name="wait"/>, else refuses while another thread holds it. Calls running alone
    /// beside the holder use neither, and go on (the tests hold the engine this way to make them run alone).</summary>
    internal Scope EnterConfiguring(bool wait)
    {
        if (HoldsGate)
        {
            return new Scope(this, Entry.Nested);
        }

        if (wait)
        {
            TakeGate();
        }
        else if (!TryTakeGate())
        {
            throw Busy(CurrentUse, "change its threads");
        }

        Volatile.Write(ref _use, (int)Use.Configuring);
        return new Scope(this, Entry.Held);
    }

    private static bool IsWriting(Use use) => use is Use.Training or Use.TrainingStep or Use.Writing;

    private InvalidOperationException Busy(Use use, string action) => new(use switch
    {
        Use.Training or Use.TrainingStep => $"Model '{Description.Name}' cannot {action}: it is being trained on another thread. Call it after Fit returns, or use a second model with the same weights.",
        Use.Writing => $"Model '{Description.Name}' cannot {action}: its weights are being replaced on another thread.",
        Use.Configuring => $"Model '{Description.Name}' cannot {action}: its engine's threads are being changed on another thread.",
        _ => $"Model '{Description.Name}' cannot {action}: another thread is predicting or evaluating with it. Training and replacing weights need the model to themselves.",
    });

    /// <summary>The engine kept for one operation; disposing it lets others in.</summary>
    internal readonly struct Scope : IDisposable
    {
        private readonly Engine _engine;
        private readonly Entry _entry;

        internal Scope(Engine engine, Entry entry)
        {
            _engine = engine;
            _entry = entry;
        }

        public void Dispose() => _engine?.Leave(_entry);
    }
}
