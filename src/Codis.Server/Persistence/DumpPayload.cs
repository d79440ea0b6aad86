using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Codis.Server.Persistence;

/// <summary>
/// The DUMP / RESTORE / SLOTSRESTORE payload: one RDB object, the 2-byte RDB version and the CRC-64 of
/// everything before the CRC, both little-endian.
/// </summary>
public static class DumpPayload
{
    /// <summary>
    /// The RDB version of the payloads we produce: Redis 3.2's, so that Codis 3.2's codis-server (which
    /// rejects newer versions) and Redis 7 both accept them.
    /// </summary>
    public const ushort WriteVersion = 7;

    /// <summary>The RDB version of stream payloads (Redis 7.0's, the first with type 19).</summary>
    public const ushort StreamWriteVersion = 10;

    /// <summary>The newest RDB version accepted, as Redis 7.0 (which writes version 10).</summary>
    public const ushort MaxReadVersion = 10;

    /// <summary>The reply to a payload with a bad footer (Redis 7.0's text).</summary>
    public const string VersionOrChecksumError = "ERR DUMP payload version or checksum are wrong";

    /// <summary>The reply to a payload whose object cannot be decoded (Redis 7.0's text).</summary>
    public const string BadDataFormatError = "ERR Bad data format";

    private const int FooterSize = 10;

    /// <summary>Encodes <paramref name="value"/> as a version-7 payload (encodings: <see cref="RdbWriter.WriteObject"/>).</summary>
    /// <exception cref="ArgumentException">Duplicate members/fields or a NaN score.</exception>
    public static byte[] Create(RdbValue value)
    {
        var writer = new RdbWriter();
        writer.WriteObject(value);
        // Redis 3.2 has no streams: their payload carries Redis 7's version, as Redis 7 writes it.
        return Seal(writer, value.Kind == RdbValueKind.Stream ? StreamWriteVersion : WriteVersion);
    }

    /// <summary>Appends the version and CRC footer to the object in <paramref name="writer"/> and returns the payload.</summary>
    public static byte[] Seal(RdbWriter writer, ushort version = WriteVersion)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> footer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(footer, version);
        writer.WriteRaw(footer[..2]);
        BinaryPrimitives.WriteUInt64LittleEndian(footer, Crc64.Compute(writer.WrittenSpan));
        writer.WriteRaw(footer);
        return writer.ToArray();
    }

    /// <summary>
    /// Checks the footer as Redis 7.0's <c>verifyDumpPayload</c>: at least 10 bytes, version at most
    /// <see cref="MaxReadVersion"/>, CRC-64 matching.
    /// </summary>
    public static bool VerifyFooter(ReadOnlySpan<byte> payload, out ushort version)
    {
        version = 0;
        if (payload.Length < FooterSize)
            return false;
        ReadOnlySpan<byte> footer = payload[^FooterSize..];
        version = BinaryPrimitives.ReadUInt16LittleEndian(footer);
        if (version > MaxReadVersion)
            return false;
        ulong crc = BinaryPrimitives.ReadUInt64LittleEndian(footer[2..]);
        return Crc64.Compute(payload[..^8]) == crc;
    }

    /// <summary>
    /// Verifies and decodes a payload as Redis 7.0's RESTORE does (so not Redis 7.2's type 20, which
    /// <see cref="RdbReader"/> itself decodes). On failure <paramref name="error"/> is Redis 7.0's reply text:
    /// <see cref="VersionOrChecksumError"/> or <see cref="BadDataFormatError"/>. Like Redis, bytes between
    /// the object and the footer are ignored, and the object may extend into the footer.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out RdbValue? value, [NotNullWhen(false)] out string? error)
    {
        value = null;
        if (!VerifyFooter(payload, out _))
        {
            error = VersionOrChecksumError;
            return false;
        }
        // Redis decodes from the whole payload, footer included: an object that runs into the version and
        // CRC bytes still loads there (e.g. a string declaring more bytes than it has), so we do the same.
        var reader = new RdbReader(payload);
        // Type 20 (set listpack) is Redis 7.2's; RESTORE in Redis 7.0 does not know it.
        if (payload[0] == (byte)RdbType.SetListpack || !reader.TryReadObject(out value))
        {
            error = BadDataFormatError;
            return false;
        }
        error = null;
        return true;
    }
}
