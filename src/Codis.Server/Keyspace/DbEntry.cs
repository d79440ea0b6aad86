// A keyspace entry: the key, its value (byte[] or MutableString for strings, else a collection) and
// its access clock, as the per-slot tables store it (KeyTable.Entry).
global using DbEntry = Codis.Server.Keyspace.KeyTable<object>.Entry;
