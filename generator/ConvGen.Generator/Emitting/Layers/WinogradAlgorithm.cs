using ConvGen.Generator.Emitting.Kernels;

namespace ConvGen.Generator.Emitting.Layers;

/// <summary>
/// Winograd's minimal filtering F(m×m, 3×3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks",
/// 2016): an m×m tile of a 3×3 convolution's output is Aᵀ[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]A, d the tile's (m + 2)×(m + 2) input
/// window and g the 3×3 kernel; (m + 2)² multiplies instead of 9m². F(2×2, 3×3) takes 2.25× fewer, F(4×4, 3×3) 4×
/// fewer, at the cost of larger transforms (their constants up to 8 instead of 1) and a little more rounding.
/// </summary>
internal sealed class WinogradAlgorithm
{
    /// <summary>F(2×2, 3×3): interpolation points 0, 1, −1 and ∞; the transforms' constants are 1, −1 and ½.</summary>
    public static readonly WinogradAlgorithm F2 = new(
        2,
        new double[,] { { 1, 0, -1, 0 }, { 0, 1, 1, 0 }, { 0, -1, 1, 0 }, { 0, 1, 0, -1 } },
        new double[,] { { 1, 0, 0 }, { 0.5, 0.5, 0.5 }, { 0.5, -0.5, 0.5 }, { 0, 0, 1 } },
        new double[,] { { 1, 1, 1, 0 }, { 0, 1, -1, -1 } });

    /// <summary>F(4×4, 3×3): interpolation points 0, ±1, ±2 and ∞.</summary>
    public static readonly WinogradAlgorithm F4 = new(
        4,
        new double[,]
        {
            { 4, 0, -5, 0, 1, 0 },
            { 0, -4, -4, 1, 1, 0 },
            { 0, 4, -4, -1, 1, 0 },
            { 0, -2, -1, 2, 1, 0 },
            { 0, 2, -1, -2, 1, 0 },
            { 0, 4, 0, -5, 0, 1 },
        },
        new double[,]
        {
            { 1.0 / 4, 0, 0 },
            { -1.0 / 6, -1.0 / 6, -1.0 / 6 },
            { -1.0 / 6, 1.0 / 6, -1.0 / 6 },
            { 1.0 / 24, 1.0 / 12, 1.0 / 6 },
            { 1.0 / 24, -1.0 / 12, 1.0 / 6 },
            { 0, 0, 1 },
        },
        new double[,]
        {
            { 1, 1, 1, 1, 1, 0 },
            { 0, 1, -1, 2, -2, 0 },
            { 0, 1, 1, 4, 4, 0 },
            { 0, 1, -1, 8, -8, 1 },
        });

    private WinogradAlgorithm(int tile, double[,] bt, double[,] g, double[,] at)
    {
        Tile = tile;
        Bt = new TransformMatrix("Bᵀ", bt);
        B = Bt.Transposed();
        G = new TransformMatrix("G", g);
        Gt = G.Transposed();
        At = new TransformMatrix("Aᵀ", at);
        A = At.Transposed();
    }

    /// <summary>m: the output tile's height and width.</summary>
    public int Tile { get; }

    /// <summary>m + 2: the input window's height and width, and the transformed tile's.</summary>
    public int Window => Tile + 2;

    /// <summary>The positions of a transformed tile, (m + 2)²: one product per position.</summary>
    public int Positions => Window * Window;

    /// <summary>Bᵀ [m + 2, m + 2]: V = Bᵀ·d·B transforms an input window.</summary>
    public TransformMatrix Bt { get; }

    public TransformMatrix B { get; }

    /// <summary>G [m + 2, 3]: U = G·g·Gᵀ transforms a 3×3 kernel.</summary>
    public TransformMatrix G { get; }

    public TransformMatrix Gt { get; }

    /// <summary>Aᵀ [m, m + 2]: Y = Aᵀ·M·A turns the products back into an m×m output tile.</summary>
    public TransformMatrix At { get; }

    public TransformMatrix A { get; }

    /// <summary>"F(2×2, 3×3)" or "F(4×4, 3×3)", as comments name it.</summary>
    public string Name => $"F({Tile}×{Tile}, 3×3)";

    /// <summary>The algorithm for an output of <paramref name="height"/> × <paramref name="width"/> (both even):
    /// F(4×4, 3×3) when whole 4×4 tiles cover it, else F(2×2, 3×3).</summary>
    public static WinogradAlgorithm For(int height, int width) => height % 4 == 0 && width % 4 == 0 ? F4 : F2;

    public override string ToString() => Name;
}
