using ConvGen.Generator.Model;

namespace ConvGen.Generator.Emitting.Kernels;

/// <summary>How each activation and its derivative are written, on vectors and on scalars.</summary>
internal static class ActivationCode
{
    /// <summary>f(x) on a vector expression.</summary>
    public static string Vector(VectorIsa isa, ActivationKind activation, string x) => activation switch
    {
        ActivationKind.Relu => $"{isa.Api}.Max({x}, {isa.Zero})",
        ActivationKind.Sigmoid => $"VectorMath.Sigmoid({x})",
        ActivationKind.Tanh => $"VectorMath.Tanh({x})",
        _ => x,
    };

    /// <summary>
    /// Whether the vector form calls a method the JIT does not inline (Vector*.Exp). No vector register survives a call
    /// on x64, so a kernel must not hold values it still needs across one: the JIT would keep them on the stack, and
    /// a register tile's accumulators there for its whole reduction.
    /// </summary>
    public static bool Calls(ActivationKind activation) => activation is ActivationKind.Sigmoid or ActivationKind.Tanh;

    /// <summary>g · f'(x), written from the activation's output y (Linear: g).</summary>
    public static string VectorDerivative(VectorIsa isa, ActivationKind activation, string gradient, string y) => activation switch
    {
        ActivationKind.Relu => $"({gradient}) & VectorMath.Positive({y})",
        ActivationKind.Sigmoid => $"({gradient}) * {y} * ({isa.Vector}.One - {y})",
        ActivationKind.Tanh => $"({gradient}) * ({isa.Vector}.One - ({y} * {y}))",
        _ => gradient,
    };

    public static string Describe(ActivationKind activation) => activation switch
    {
        ActivationKind.Relu => "relu",
        ActivationKind.Sigmoid => "sigmoid",
        ActivationKind.Tanh => "tanh",
        ActivationKind.Softmax => "softmax",
        _ => "linear",
    };
}
