using System.Numerics;
using ConvGen.Layers;

namespace ConvGen.Engines.Interpreted;

/// <summary>
/// The window geometry MaxPooling2D and AveragePooling2D share. Output (oy, ox) looks at input rows
/// oy*sh - padTop + [0, PH) and columns ox*sw - padLeft + [0, PW), clipped to the input: padded cells are not part of
/// any window. padTop = KerasConventions.PaddingBefore(H, PH, sh, same), padLeft likewise. Under both paddings every
/// clipped window keeps at least one cell.
/// </summary>
internal abstract class InterpretedPooling2D<T> : InterpretedLayer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly int _poolHeight;
    private readonly int _poolWidth;
    private readonly int _strideHeight;
    private readonly int _strideWidth;
    private readonly int _padTop;
    private readonly int _padLeft;

    protected InterpretedPooling2D(LayerInfo info, Pooling2DLayer layer)
        : base(info)
    {
        _poolHeight = layer.PoolHeight;
        _poolWidth = layer.PoolWidth;
        _strideHeight = layer.StrideHeight;
        _strideWidth = layer.StrideWidth;
        bool same = layer.Padding == Padding.Same;
        _padTop = KerasConventions.PaddingBefore(InputShape.Height, _poolHeight, _strideHeight, same);
        _padLeft = KerasConventions.PaddingBefore(InputShape.Width, _poolWidth, _strideWidth, same);
    }

    /// <summary>The input rows [<paramref name="first"/>, <paramref name="end"/>) of output row <paramref name="oy"/>.</summary>
    protected void WindowRows(int oy, out int first, out int end) =>
        Clip((oy * _strideHeight) - _padTop, _poolHeight, InputShape.Height, out first, out end);

    /// <summary>The input columns [<paramref name="first"/>, <paramref name="end"/>) of output column <paramref name="ox"/>.</summary>
    protected void WindowColumns(int ox, out int first, out int end) =>
        Clip((ox * _strideWidth) - _padLeft, _poolWidth, InputShape.Width, out first, out end);

    private static void Clip(int start, int window, int size, out int first, out int end)
    {
        first = Math.Max(start, 0);
        end = Math.Min(start + window, size);
    }
}
