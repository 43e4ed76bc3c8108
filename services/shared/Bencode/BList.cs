namespace BitTorrent.Shared.Bencode;

public sealed class BList : BValue, IEnumerable<BValue>
{
    private readonly List<BValue> _items = [];
    public BList() { }
    public BList(IEnumerable<BValue> items) => _items.AddRange(items);
    public int Count => _items.Count;
    public BValue this[int index] => _items[index];
    public void Add(BValue value) => _items.Add(value);
    public IEnumerator<BValue> GetEnumerator() => _items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
