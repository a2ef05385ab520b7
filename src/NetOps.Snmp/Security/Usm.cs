using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace NetOps.Snmp;

/// <summary>
/// The cryptography of the user-based security model: password to key (RFC 3414 A.2), key localisation, the
/// AES-192/256 key extension net-snmp uses (draft-blumenthal-aes-usm-04 3.1.2.1), HMAC digests truncated per
/// protocol, DES-CBC and AES-CFB128 privacy.
/// </summary>
internal static class Usm
{
    private const int ExpansionLength = 1_048_576;

    // Ku costs a megabyte of hashing; keyed by a digest of the pass phrase so that the cache holds no secret in clear.
    private static readonly ConcurrentDictionary<(SnmpAuthProtocol, string), byte[]> MasterKeys = new();

    /// <summary>Octets of msgAuthenticationParameters: 12 for HMAC-96, 16/24/32/48 for SHA-224..512 (RFC 7860 4.2.2).</summary>
    public static int DigestLength(SnmpAuthProtocol protocol) => protocol switch
    {
        SnmpAuthProtocol.Md5 or SnmpAuthProtocol.Sha1 => 12,
        SnmpAuthProtocol.Sha224 => 16,
        SnmpAuthProtocol.Sha256 => 24,
        SnmpAuthProtocol.Sha384 => 32,
        SnmpAuthProtocol.Sha512 => 48,
        _ => 0,
    };

    /// <summary>Key octets the privacy protocol uses; DES also uses the 8 octets after its key as pre-IV.</summary>
    public static int PrivKeyLength(SnmpPrivProtocol protocol) => protocol switch
    {
        SnmpPrivProtocol.Des => 16,
        SnmpPrivProtocol.Aes128 => 16,
        SnmpPrivProtocol.Aes192 => 24,
        SnmpPrivProtocol.Aes256 => 32,
        _ => 0,
    };

    /// <summary>Ku: the pass phrase repeated to one megabyte, hashed (RFC 3414 A.2.1/A.2.2, RFC 7860 9.3). Cached.</summary>
    public static byte[] PasswordToKey(SnmpAuthProtocol protocol, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(password)));
        return MasterKeys.GetOrAdd((protocol, fingerprint), static (key, phrase) => ExpandAndHash(key.Item1, Encoding.UTF8.GetBytes(phrase)),
            password);
    }

    private static byte[] ExpandAndHash(SnmpAuthProtocol protocol, byte[] phrase)
    {
        const int Chunk = 4096;
        var pattern = new byte[Chunk + phrase.Length];
        for (var i = 0; i < pattern.Length; i++)
        {
            pattern[i] = phrase[i % phrase.Length];
        }

        using var hash = new Hasher(protocol);
        for (var done = 0; done < ExpansionLength; done += Chunk)
        {
            var phase = done % phrase.Length;
            hash.Append(pattern.AsSpan(phase, Math.Min(Chunk, ExpansionLength - done)));
        }

        return hash.Finish();
    }

    /// <summary>Kul = H(Ku || engineID || Ku) (RFC 3414 2.6).</summary>
    public static byte[] Localize(SnmpAuthProtocol protocol, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> engineId)
    {
        using var hash = new Hasher(protocol);
        hash.Append(masterKey);
        hash.Append(engineId);
        hash.Append(masterKey);
        return hash.Finish();
    }

    /// <summary>
    /// The localised privacy key, cut or extended to what <paramref name="priv"/> uses. Too short a key (AES-192/256
    /// with MD5 or SHA-1) is extended as net-snmp does for its AES-192/AES-256: Kul = Kul || H(Kul), repeated.
    /// </summary>
    public static byte[] PrivKey(SnmpAuthProtocol auth, SnmpPrivProtocol priv, ReadOnlySpan<byte> localizedKey)
    {
        var need = PrivKeyLength(priv);
        var key = localizedKey.ToArray();
        while (key.Length < need)
        {
            using var hash = new Hasher(auth);
            hash.Append(key);
            key = [.. key, .. hash.Finish()];
        }

        return key[..need];
    }

    /// <summary>The truncated HMAC of <paramref name="message"/>, whose authentication parameters must be zero.</summary>
    public static void Sign(SnmpAuthProtocol protocol, ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> digest)
    {
        Span<byte> full = stackalloc byte[64];
        var written = protocol switch
        {
            SnmpAuthProtocol.Md5 => HMACMD5.HashData(key, message, full),
            SnmpAuthProtocol.Sha1 => HMACSHA1.HashData(key, message, full),
            SnmpAuthProtocol.Sha224 => HmacSha224(key, message, full),
            SnmpAuthProtocol.Sha256 => HMACSHA256.HashData(key, message, full),
            SnmpAuthProtocol.Sha384 => HMACSHA384.HashData(key, message, full),
            SnmpAuthProtocol.Sha512 => HMACSHA512.HashData(key, message, full),
            _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "no authentication protocol"),
        };
        full[..Math.Min(written, digest.Length)].CopyTo(digest);
    }

    /// <summary>
    /// Checks the digest at <paramref name="digestOffset"/> of <paramref name="packet"/>: the packet is copied with the
    /// digest zeroed, as the sender computed it, and compared in constant time.
    /// </summary>
    public static bool Verify(SnmpAuthProtocol protocol, ReadOnlySpan<byte> key, ReadOnlySpan<byte> packet, int digestOffset, int digestLength)
    {
        if (digestLength != DigestLength(protocol) || digestOffset < 0 || digestOffset + digestLength > packet.Length)
        {
            return false;
        }

        var copy = packet.ToArray();
        copy.AsSpan(digestOffset, digestLength).Clear();
        Span<byte> expected = stackalloc byte[48];
        Sign(protocol, key, copy, expected[..digestLength]);
        return CryptographicOperations.FixedTimeEquals(expected[..digestLength], packet.Slice(digestOffset, digestLength));
    }

    /// <summary>Encrypts a scoped PDU; <paramref name="salt"/> receives the 8-octet msgPrivacyParameters to send.</summary>
    public static byte[] Encrypt(SnmpPrivProtocol protocol, ReadOnlySpan<byte> key, int boots, int time, ulong counter,
        ReadOnlySpan<byte> plaintext, Span<byte> salt)
    {
        if (protocol == SnmpPrivProtocol.Des)
        {
            // RFC 3414 8.1.1.1: salt = boots || local counter; IV = pre-IV XOR salt; pad to whole blocks.
            BinaryPrimitives.WriteInt32BigEndian(salt, boots);
            BinaryPrimitives.WriteUInt32BigEndian(salt[4..], (uint)counter);
            Span<byte> iv = stackalloc byte[8];
            for (var i = 0; i < 8; i++)
            {
                iv[i] = (byte)(key[8 + i] ^ salt[i]);
            }

            var padded = new byte[(plaintext.Length + 7) / 8 * 8];
            plaintext.CopyTo(padded);
            using var des = DES.Create();
            des.Key = key[..8].ToArray();
            return des.EncryptCbc(padded, iv, PaddingMode.None);
        }

        BinaryPrimitives.WriteUInt64BigEndian(salt, counter);
        return AesCfb(key, boots, time, salt, plaintext, encrypt: true);
    }

    /// <summary>Decrypts an encrypted scoped PDU; null when its length or salt cannot be right (decryptionError).</summary>
    public static byte[]? Decrypt(SnmpPrivProtocol protocol, ReadOnlySpan<byte> key, int boots, int time,
        ReadOnlySpan<byte> salt, ReadOnlySpan<byte> ciphertext)
    {
        if (salt.Length != 8 || ciphertext.IsEmpty)
        {
            return null;
        }

        if (protocol == SnmpPrivProtocol.Des)
        {
            if (ciphertext.Length % 8 != 0)
            {
                return null;
            }

            Span<byte> iv = stackalloc byte[8];
            for (var i = 0; i < 8; i++)
            {
                iv[i] = (byte)(key[8 + i] ^ salt[i]);
            }

            using var des = DES.Create();
            des.Key = key[..8].ToArray();
            return des.DecryptCbc(ciphertext, iv, PaddingMode.None);
        }

        return AesCfb(key, boots, time, salt, ciphertext, encrypt: false);
    }

    private static byte[] AesCfb(ReadOnlySpan<byte> key, int boots, int time, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> input, bool encrypt)
    {
        // RFC 3826 3.1.2.1: IV = boots || time || salt. CFB is a stream mode: pad to whole blocks and cut the output.
        Span<byte> iv = stackalloc byte[16];
        BinaryPrimitives.WriteInt32BigEndian(iv, boots);
        BinaryPrimitives.WriteInt32BigEndian(iv[4..], time);
        salt.CopyTo(iv[8..]);
        var padded = new byte[(input.Length + 15) / 16 * 16];
        input.CopyTo(padded);
        using var aes = Aes.Create();
        aes.Key = key.ToArray();
        var output = encrypt
            ? aes.EncryptCfb(padded, iv, PaddingMode.None, feedbackSizeInBits: 128)
            : aes.DecryptCfb(padded, iv, PaddingMode.None, feedbackSizeInBits: 128);
        return output.AsSpan(0, input.Length).ToArray();
    }

    private static int HmacSha224(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> destination)
    {
        // RFC 2104 over our own SHA-224: .NET has none.
        Span<byte> pad = stackalloc byte[Sha224.BlockSize];
        pad.Clear();
        if (key.Length > Sha224.BlockSize)
        {
            Sha224.HashData(key).CopyTo(pad);
        }
        else
        {
            key.CopyTo(pad);
        }

        for (var i = 0; i < pad.Length; i++)
        {
            pad[i] ^= 0x36;
        }

        var inner = new Sha224();
        inner.Append(pad);
        inner.Append(message);
        var innerHash = inner.Finish();
        for (var i = 0; i < pad.Length; i++)
        {
            pad[i] ^= 0x36 ^ 0x5c;
        }

        var outer = new Sha224();
        outer.Append(pad);
        outer.Append(innerHash);
        outer.Finish().CopyTo(destination);
        return Sha224.HashSize;
    }

    private static HashAlgorithmName HashName(SnmpAuthProtocol protocol) => protocol switch
    {
        SnmpAuthProtocol.Md5 => HashAlgorithmName.MD5,
        SnmpAuthProtocol.Sha1 => HashAlgorithmName.SHA1,
        SnmpAuthProtocol.Sha256 => HashAlgorithmName.SHA256,
        SnmpAuthProtocol.Sha384 => HashAlgorithmName.SHA384,
        SnmpAuthProtocol.Sha512 => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "no authentication protocol"),
    };

    /// <summary>One hash computation with the protocol's hash function, SHA-224 included.</summary>
    private sealed class Hasher(SnmpAuthProtocol protocol) : IDisposable
    {
        private readonly IncrementalHash? _hash = protocol == SnmpAuthProtocol.Sha224 ? null : IncrementalHash.CreateHash(HashName(protocol));
        private readonly Sha224? _sha224 = protocol == SnmpAuthProtocol.Sha224 ? new Sha224() : null;

        public void Append(ReadOnlySpan<byte> data)
        {
            if (_hash is not null)
            {
                _hash.AppendData(data);
            }
            else
            {
                _sha224!.Append(data);
            }
        }

        public byte[] Finish() => _hash?.GetHashAndReset() ?? _sha224!.Finish();

        public void Dispose() => _hash?.Dispose();
    }
}
