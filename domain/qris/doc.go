// Package qris reads and writes the merchant-presented QR payload (EMVCo
// MPM) as Bank Indonesia's QRIS profile uses it: Parse turns the text a
// customer scanned into a validated Payload, and Builder writes payloads
// with a correct CRC for tests and for a QR switch simulator. Every
// rejection is a fault.QRISInvalid error (SPEC §2 code 71) whose detail
// names the tag and the rule, e.g. "tag 54: amount \"10000.5\" has a
// fraction of a rupiah"; a wrong checksum is ErrCRCMismatch. Parse never
// panics.
//
// # Format
//
// A payload is a run of fields: a two-digit ID, a two-digit decimal
// length from 01 to 99, then the value. Templates (26–51 merchant account
// information, 62 additional data, 64 language template) hold fields of
// the same form. Tag 00 ("01") comes first and tag 63, the CRC, last; the
// others may come in any order, but none may repeat at one level. The
// whole payload is at most 512 characters, as EMVCo prescribes.
//
// # Decisions
//
// Lengths count characters (Unicode code points), never bytes. EMVCo MPM
// §4 and the QRIS specification define the length as the number of
// characters of the value. Outside the language template the values are
// meant to be in EMVCo's common character set, where a character is one
// byte, so for the payloads met in practice characters and bytes agree.
// They part only for non-ASCII text ("KOPI ÉÉ", an alternate merchant name
// in tag 64): there we count runes, so "5907KOPI ÉÉ" is seven characters
// although it is nine bytes of UTF-8. One rule, no guessing: a payload
// whose generator counted bytes for non-ASCII text is refused (its field
// runs past the next one), rather than accepted under a second reading
// that could split a field differently. Non-ASCII text is accepted in any
// text field, not only tag 64. The input must be valid UTF-8 without
// control characters.
//
// The CRC is CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF,
// no reflection, no final XOR) over the UTF-8 bytes of everything up to
// and including "6304", written as four hexadecimal digits; Parse accepts
// either case and Builder writes uppercase.
//
// Point of initiation: a dynamic QR (01 = "12") must carry an amount in
// tag 54. A static QR (01 = "11") usually has none and the payer types
// it, but may carry one: EMVCo ties tag 54 to whether the payer is to be
// prompted, not to the point of initiation, fixed-price stickers (parking
// charges) carry one, and public QRIS sample data does too (see the
// tests). So a static amount is accepted and reported by Amount, and the
// payment must use it.
//
// Amounts (tags 54 and 56) are whole rupiah: digits, optionally followed
// by "." and one or two zeros ("10000", "10000.00"). A fraction of a
// rupiah ("10000.5") is refused, as are signs, exponents and spaces. An
// amount must be positive and at most 13 characters long. The percentage
// in tag 57 is 0 to 100 with at most two decimals ("5", "2.5", "05.00"),
// held as basis points.
//
// Fee rounds half up to whole rupiah: a 2.5% fee on Rp 10,001 is
// Rp 250.025, charged as Rp 250; on Rp 10,020 it is Rp 250.5, charged as
// Rp 251.
//
// The NMID (national merchant ID) is sub-tag 02 of tag 51 when that
// template's globally unique identifier is "ID.CO.QRIS.WWW", and must then
// read "ID" and thirteen digits. A payload without such a template parses,
// and NMID returns "". Tags Parse does not interpret (card-scheme
// templates 02–25, reserved 65–79, unreserved templates 80–99, unknown
// sub-tags) are checked for TLV form and otherwise ignored. EMVCo's
// per-field maximums (25 characters for a merchant name, 15 for a city)
// are not enforced: QRIS in circulation exceed them, and the two-digit
// length already caps every value at 99 characters.
//
// Surrounding whitespace (a scanner's trailing newline) is trimmed before
// parsing; it cannot be part of a payload, which begins with "00" and ends
// with the CRC.
package qris
