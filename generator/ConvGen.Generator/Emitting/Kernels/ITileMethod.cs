namespace ConvGen.Generator.Emitting.Kernels;

/// <summary>A register tile's method (<see cref="TileKernel"/>, <see cref="ColumnQuadTile"/>), as a kernel emitter
/// writes it after the kernels that call it.</summary>
internal interface ITileMethod
{
    void Emit(SourceWriter w);
}
