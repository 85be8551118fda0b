using System.Globalization;

namespace ConvGen;

/// <summary>
/// The parameters of one affine transform of an image, as Keras' <c>transform_parameters</c> (<c>theta</c>, <c>tx</c>,
/// <c>ty</c>, <c>shear</c>, <c>zx</c>, <c>zy</c>, <c>flip_horizontal</c>, <c>flip_vertical</c>). Like Keras'
/// <c>apply_affine_transform</c>, the transform maps each pixel of the output to the point of the input it samples,
/// about the image's centre: the output at (row, column) is the input at
/// <c>R(rotation) · T(shift) · S(shear) · Z(zoom) · F(flips) · ((row, column) − centre) + centre</c>.
/// So a zoom factor above 1 samples a larger extent (the digit looks smaller), and a positive shift samples further
/// down or right (the content moves up or left).
/// </summary>
/// <param name="RotationDegrees">Rotation θ, in degrees: the output samples <c>(cos θ · y − sin θ · x, sin θ · y + cos θ · x)</c>
/// for (y, x) its offset (row, column) from the centre.</param>
/// <param name="ShiftRows">Shift along the height, in pixels (Keras' <c>tx</c>).</param>
/// <param name="ShiftColumns">Shift along the width, in pixels (Keras' <c>ty</c>).</param>
/// <param name="ShearDegrees">Shear angle, in degrees: the output samples <c>(y − sin s · x, cos s · x)</c>.</param>
/// <param name="ZoomRows">Zoom factor along the height (Keras' <c>zx</c>); 1 for none.</param>
/// <param name="ZoomColumns">Zoom factor along the width (Keras' <c>zy</c>); 1 for none.</param>
/// <param name="FlipHorizontal">Mirror left and right.</param>
/// <param name="FlipVertical">Mirror top and bottom.</param>
public readonly record struct ImageTransform(
    double RotationDegrees = 0,
    double ShiftRows = 0,
    double ShiftColumns = 0,
    double ShearDegrees = 0,
    double ZoomRows = 1,
    double ZoomColumns = 1,
    bool FlipHorizontal = false,
    bool FlipVertical = false)
{
    /// <summary>The transform that changes nothing.</summary>
    public static ImageTransform Identity => new();

    /// <summary>The output-to-input map of this transform on an image of <paramref name="height"/> ×
    /// <paramref name="width"/>: input row = <c>RowFromRow · row + RowFromColumn · column + RowOffset</c>, and likewise
    /// for the column.</summary>
    internal AffineMap ToMap(int height, int width)
    {
        if (!double.IsFinite(RotationDegrees) || !double.IsFinite(ShiftRows) || !double.IsFinite(ShiftColumns) || !double.IsFinite(ShearDegrees)
            || !double.IsFinite(ZoomRows) || !double.IsFinite(ZoomColumns))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Every parameter of an image transform must be a finite number; got {this}."));
        }

        // Affine products, built up in Keras' order: rotation · shift · shear · zoom · flips. Sines and cosines of
        // multiples of π (SinPi, CosPi) are exact, so a quarter turn samples whole pixels, with no 6e-17 of a neighbour.
        (double cos, double sin) = (double.CosPi(RotationDegrees / 180), double.SinPi(RotationDegrees / 180));
        var rotation = new Matrix(cos, -sin, 0, sin, cos, 0);
        var shift = new Matrix(1, 0, ShiftRows, 0, 1, ShiftColumns);
        var shearing = new Matrix(1, -double.SinPi(ShearDegrees / 180), 0, 0, double.CosPi(ShearDegrees / 180), 0);
        var zoom = new Matrix(ZoomRows, 0, 0, 0, ZoomColumns, 0);
        var flips = new Matrix(FlipVertical ? -1 : 1, 0, 0, 0, FlipHorizontal ? -1 : 1, 0);
        Matrix m = rotation * shift * shearing * zoom * flips;

        // About the centre of the pixel grid, (height - 1) / 2 and (width - 1) / 2, so that a quarter turn or a flip
        // moves whole pixels. (Keras centres at height / 2 + 0.5, half a pixel off.)
        double centreRow = (height - 1) / 2.0;
        double centreColumn = (width - 1) / 2.0;
        return new AffineMap(
            (float)m.A, (float)m.B, (float)(m.C + centreRow - (m.A * centreRow) - (m.B * centreColumn)),
            (float)m.D, (float)m.E, (float)(m.F + centreColumn - (m.D * centreRow) - (m.E * centreColumn)));
    }

    // [[A, B, C], [D, E, F], [0, 0, 1]]: an affine map of (row, column).
    private readonly record struct Matrix(double A, double B, double C, double D, double E, double F)
    {
        public static Matrix operator *(Matrix l, Matrix r) => new(
            (l.A * r.A) + (l.B * r.D), (l.A * r.B) + (l.B * r.E), (l.A * r.C) + (l.B * r.F) + l.C,
            (l.D * r.A) + (l.E * r.D), (l.D * r.B) + (l.E * r.E), (l.D * r.C) + (l.E * r.F) + l.F);
    }
}

/// <summary>An output-to-input pixel map: input row = <c>RowFromRow · row + RowFromColumn · column + RowOffset</c>,
/// input column = <c>ColumnFromRow · row + ColumnFromColumn · column + ColumnOffset</c>.</summary>
internal readonly record struct AffineMap(float RowFromRow, float RowFromColumn, float RowOffset, float ColumnFromRow, float ColumnFromColumn, float ColumnOffset);
