using System.Globalization;
using Microsoft.Data.Sqlite;

namespace BitTorrent.ChordNode.Storage;

/// <summary>
/// A node's durable keys in one SQLite database, <c>ring.db</c> in its data directory.
/// </summary>
/// <remarks>
/// Why SQLite: a well-kept embedded store with a file format that survives crashes by design, read by
/// standard tools, one small dependency (Microsoft.Data.Sqlite), and no hand-written file format. WAL mode
/// with synchronous=FULL makes each commit durable with one fsync of the log, and <see cref="GroupCommitWriter"/>
/// puts every change that arrived during the previous commit into the next one, so concurrent writes share
/// an fsync. The store is read whole into memory at start (reads never touch the disk), and only durable
/// state is written: registers, counters and set members that do not expire. Swarm entries, which expire
/// unless re-announced, stay in memory, so announces never wait for the disk.
/// The database is opened with an exclusive lock: two nodes can never share one data directory.
/// </remarks>
public sealed partial class SqlitePersistence : IStorePersistence, IDisposable
{
    /// <summary>The schema this code reads and writes (<c>PRAGMA user_version</c>).</summary>
    public const int SchemaVersion = 1;

    /// <summary>Marks the file as a chord-node store (<c>PRAGMA application_id</c>, "CHRD").</summary>
    public const int ApplicationId = 0x43485244;

    public const string FileName = "ring.db";

    private readonly SqliteConnection _connection;
    private readonly GroupCommitWriter _writer;
    private readonly SqliteCommand _putEntry;
    private readonly SqliteCommand _putMember;
    private readonly SqliteCommand _deleteMember;
    private readonly SqliteCommand _deleteEntry;
    private readonly SqliteCommand _deleteMembers;

    private readonly string _directory;

    private SqlitePersistence(SqliteConnection connection, string directory, ILogger logger)
    {
        _connection = connection;
        _directory = directory;
        _putEntry = Command("INSERT INTO entries (key, kind, value, version, count) VALUES ($key, $kind, $value, $version, $count) " +
                            "ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, value = excluded.value, version = excluded.version, count = excluded.count",
            "$key", "$kind", "$value", "$version", "$count");
        _putMember = Command("INSERT INTO members (key, member, value, timestamp, expires) VALUES ($key, $member, $value, $timestamp, $expires) " +
                             "ON CONFLICT (key, member) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, expires = excluded.expires",
            "$key", "$member", "$value", "$timestamp", "$expires");
        _deleteMember = Command("DELETE FROM members WHERE key = $key AND member = $member", "$key", "$member");
        _deleteEntry = Command("DELETE FROM entries WHERE key = $key", "$key");
        _deleteMembers = Command("DELETE FROM members WHERE key = $key", "$key");
        _writer = new GroupCommitWriter(WriteBatch, logger);
    }

    public bool IsDurable => true;

    /// <summary>Transactions committed since the store was opened.</summary>
    public long Commits => _writer.Batches;

    /// <summary>
    /// Opens (or creates) the store in <paramref name="directory"/>, checks that it is ours, of this schema
    /// version, intact and writable. Anything else is a <see cref="StoreUnusableException"/>.
    /// </summary>
    public static SqlitePersistence Open(string directory, ILogger logger)
    {
        var full = Path.GetFullPath(directory);
        try
        {
            System.IO.Directory.CreateDirectory(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnusableException(full, $"it cannot be created ({e.Message})", e);
        }
        var path = Path.Combine(full, FileName);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            // Another process holding the lock is not waited for long: the node reports it and stops.
            DefaultTimeout = 2,
        }.ToString());
        try
        {
            connection.Open();
            // Exclusive locking: the first access takes the lock for the connection's life, so a second
            // process on the same directory fails at once instead of interleaving writes.
            Execute(connection, "PRAGMA locking_mode = EXCLUSIVE");
            var journal = Scalar(connection, "PRAGMA journal_mode = WAL");
            if (!string.Equals(journal, "wal", StringComparison.OrdinalIgnoreCase))
                throw new StoreUnusableException(full, $"{FileName} could not be switched to write-ahead logging (journal mode {journal})");
            Execute(connection, "PRAGMA synchronous = FULL");
            CheckOrCreateSchema(connection, full);
            var check = Scalar(connection, "PRAGMA quick_check");
            if (!string.Equals(check, "ok", StringComparison.Ordinal))
                throw new StoreUnusableException(full, $"{FileName} is corrupt ({check}); move it aside to start this node empty");
            // A write at open proves the directory and file are writable now, not at the first acknowledged write.
            Execute(connection, $"INSERT INTO meta (key, value) VALUES ('opened', '{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}') " +
                                "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
            return new SqlitePersistence(connection, full, logger);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new StoreUnusableException(full, Describe(e), e);
        }
        catch (StoreUnusableException)
        {
            connection.Dispose();
            throw;
        }
    }

    private static string Describe(SqliteException e) => e.SqliteErrorCode switch
    {
        11 or 26 => $"{FileName} is corrupt or not a database ({e.Message}); move it aside to start this node empty",
        5 or 6 => $"{FileName} is in use by another process",
        8 => $"{FileName} is read-only",
        13 => "the disk is full",
        10 or 14 => $"{FileName} cannot be opened or written ({e.Message})",
        _ => $"{FileName} cannot be used ({e.Message})",
    };

    private static void CheckOrCreateSchema(SqliteConnection connection, string directory)
    {
        var application = long.Parse(Scalar(connection, "PRAGMA application_id"), CultureInfo.InvariantCulture);
        var version = long.Parse(Scalar(connection, "PRAGMA user_version"), CultureInfo.InvariantCulture);
        var tables = long.Parse(Scalar(connection, "SELECT count(*) FROM sqlite_schema"), CultureInfo.InvariantCulture);
        if (application == 0 && version == 0 && tables == 0)
        {
            // Registers (a .torrent is kilobytes) live in a rowid table, which keeps rows of up to a page inline;
            // set members are small, so they are clustered by (key, member) without a rowid.
            using var transaction = connection.BeginTransaction();
            Execute(connection, """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE entries (key TEXT PRIMARY KEY, kind INTEGER NOT NULL, value BLOB, version INTEGER NOT NULL, count INTEGER NOT NULL);
                CREATE TABLE members (key TEXT NOT NULL, member TEXT NOT NULL, value TEXT, timestamp INTEGER NOT NULL, expires INTEGER,
                                      PRIMARY KEY (key, member)) WITHOUT ROWID;
                """, transaction);
            Execute(connection, $"PRAGMA application_id = {ApplicationId}", transaction);
            Execute(connection, $"PRAGMA user_version = {SchemaVersion}", transaction);
            transaction.Commit();
            return;
        }
        if (application != ApplicationId)
            throw new StoreUnusableException(directory, $"{FileName} is a SQLite database but not a chord-node store");
        if (version != SchemaVersion)
            throw new StoreUnusableException(directory, $"{FileName} has store schema version {version} and this node reads version {SchemaVersion}");
    }

    public IReadOnlyList<EntryData> Load()
    {
        try
        {
            return ReadAll();
        }
        catch (SqliteException e)
        {
            throw new StoreUnusableException(_directory, Describe(e), e);
        }
    }

    private List<EntryData> ReadAll()
    {
        var entries = new List<EntryData>();
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT key, kind, value, version, count FROM entries";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var kind = (EntryKind)reader.GetInt32(1);
                if (kind is not (EntryKind.Register or EntryKind.Counter))
                    throw new StoreUnusableException(_directory, $"{FileName} holds an entry of unknown kind {(int)kind}");
                entries.Add(new EntryData(reader.GetString(0), kind,
                    Value: reader.IsDBNull(2) ? null : (byte[])reader.GetValue(2),
                    Version: reader.GetInt64(3), Count: reader.GetInt64(4)));
            }
        }
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT key, member, value, timestamp, expires FROM members ORDER BY key";
            using var reader = command.ExecuteReader();
            string? key = null;
            List<MemberData>? members = null;
            while (reader.Read())
            {
                var next = reader.GetString(0);
                if (!string.Equals(next, key, StringComparison.Ordinal))
                {
                    if (key is not null) entries.Add(new EntryData(key, EntryKind.Set, Members: members));
                    (key, members) = (next, []);
                }
                members!.Add(new MemberData(reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetInt64(4)));
            }
            if (key is not null) entries.Add(new EntryData(key, EntryKind.Set, Members: members));
        }
        return entries;
    }

    public Task Append(StoreChange change) => _writer.Append(change);

    public Task Barrier() => _writer.Barrier();

    /// <summary>One transaction for the whole batch, in the order the changes were made.</summary>
    private void WriteBatch(IReadOnlyList<StoreChange> batch)
    {
        using var transaction = _connection.BeginTransaction();
        foreach (var change in batch)
        {
            switch (change)
            {
                case StoreChange.RegisterWritten r:
                    Run(_putEntry, transaction, r.Key, (int)EntryKind.Register, r.Value, r.Version, 0L);
                    break;
                case StoreChange.CounterWritten c:
                    Run(_putEntry, transaction, c.Key, (int)EntryKind.Counter, null, 0L, c.Count);
                    break;
                case StoreChange.MemberWritten m:
                    Run(_putMember, transaction, m.Key, m.Member.Member, m.Member.Value, m.Member.Timestamp, m.Member.ExpiresUnixMs);
                    break;
                case StoreChange.MemberDeleted d:
                    Run(_deleteMember, transaction, d.Key, d.Member);
                    break;
                case StoreChange.KeyDeleted k:
                    Run(_deleteEntry, transaction, k.Key);
                    Run(_deleteMembers, transaction, k.Key);
                    break;
            }
        }
        transaction.Commit();
    }

    private static void Run(SqliteCommand command, SqliteTransaction transaction, params object?[] values)
    {
        command.Transaction = transaction;
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    private static string Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
    }

    public void Dispose()
    {
        _writer.Dispose();
        _putEntry.Dispose();
        _putMember.Dispose();
        _deleteMember.Dispose();
        _deleteEntry.Dispose();
        _deleteMembers.Dispose();
        _connection.Dispose();
    }
}
