namespace ConvGen.Train.Commands;

/// <summary>The process exit codes, as conventional command-line tools use them.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The command could not finish: MNIST unavailable, a weights file unreadable, a save failed.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself is wrong: an unknown option or network, a malformed or out-of-range value.</summary>
    public const int Usage = 2;
}
