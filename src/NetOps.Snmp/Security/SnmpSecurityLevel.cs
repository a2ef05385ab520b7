namespace NetOps.Snmp;

/// <summary>The USM security level of a message, as net-snmp's <c>-l</c> names it.</summary>
public enum SnmpSecurityLevel
{
    NoAuthNoPriv = 0,
    AuthNoPriv = 1,
    AuthPriv = 3,
}

/// <summary>USM authentication: HMAC-MD5-96 and HMAC-SHA-96 (RFC 3414), HMAC-SHA-2 (RFC 7860).</summary>
public enum SnmpAuthProtocol
{
    None = 0,
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

/// <summary>
/// USM privacy: DES-CBC (RFC 3414), AES-128-CFB (RFC 3826), and AES-192/256-CFB with the key extension of
/// draft-blumenthal-aes-usm-04, as net-snmp's <c>-x AES-192</c> and <c>-x AES-256</c> do.
/// </summary>
public enum SnmpPrivProtocol
{
    None = 0,
    Des,
    Aes128,
    Aes192,
    Aes256,
}
