using Microsoft.ML;
using Microsoft.ML.Data;

namespace RiskWatch.Scoring.Models;

/// <summary>
/// Feature rows (plus, for training, labels and weights) as an ML.NET <see cref="IDataView"/> without copying them into
/// row objects: a cursor hands out the caller's arrays, so scoring a million rows makes no per-row garbage beyond ML.NET's own.
/// </summary>
internal sealed class FeatureDataView : IDataView
{
    internal const string FeaturesColumn = "Features";
    internal const string LabelColumn = "Label";
    internal const string WeightColumn = "Weight";

    private readonly IReadOnlyList<float[]> _rows;
    private readonly IReadOnlyList<bool>? _labels;
    private readonly IReadOnlyList<float>? _weights;
    private readonly int _featureCount;

    public FeatureDataView(IReadOnlyList<float[]> rows, int featureCount, IReadOnlyList<bool>? labels = null, IReadOnlyList<float>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i] is not { } row || row.Length != featureCount)
            {
                throw new ArgumentException($"Row {i} has {rows[i]?.Length ?? 0} features; the model expects {featureCount}.", nameof(rows));
            }
        }

        _rows = rows;
        _featureCount = featureCount;
        _labels = labels;
        _weights = weights;

        var schema = new DataViewSchema.Builder();
        schema.AddColumn(FeaturesColumn, new VectorDataViewType(NumberDataViewType.Single, featureCount));
        if (labels is not null)
        {
            schema.AddColumn(LabelColumn, BooleanDataViewType.Instance);
        }

        if (weights is not null)
        {
            schema.AddColumn(WeightColumn, NumberDataViewType.Single);
        }

        Schema = schema.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _rows.Count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    /// <summary>One cursor: the contract allows fewer than asked, and it keeps ML.NET from consolidating batches.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [new Cursor(this)];

    private sealed class Cursor(FeatureDataView view) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override bool MoveNext()
        {
            if (_position + 1 >= view._rows.Count)
            {
                _position = view._rows.Count;
                return false;
            }

            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            Delegate getter = column.Name switch
            {
                FeaturesColumn => (ValueGetter<VBuffer<float>>)GetFeatures,
                LabelColumn => (ValueGetter<bool>)((ref bool value) => value = view._labels![(int)_position]),
                WeightColumn => (ValueGetter<float>)((ref float value) => value = view._weights![(int)_position]),
                _ => throw new ArgumentOutOfRangeException(nameof(column), column.Name, "No such column."),
            };

            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column {column.Name} is not of type {typeof(TValue).Name}.");
        }

        private void GetFeatures(ref VBuffer<float> value)
        {
            var editor = VBufferEditor.Create(ref value, view._featureCount);
            view._rows[(int)_position].AsSpan().CopyTo(editor.Values);
            value = editor.Commit();
        }
    }
}
