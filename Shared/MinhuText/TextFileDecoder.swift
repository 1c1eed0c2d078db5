import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes a data file as Chinese offices export them: UTF-8 (with or without a byte-order mark), UTF-16 with a
/// byte-order mark (Excel's "Unicode text"), or GB18030, which includes GBK and GB2312 (Excel's and WPS's
/// default "CSV" on Chinese Windows). GB18030 goes through the C library's `iconv`.
///
/// ```swift
/// let (text, encoding) = try TextFileDecoder.decode(Data(contentsOf: url), path: url.path)
/// ```
public enum TextFileDecoder {
    /// The encoding a file was read in.
    public enum Encoding: String, Sendable {
        case utf8 = "UTF-8"
        case utf16 = "UTF-16"
        case gb18030 = "GB18030"
    }

    /// The text of `data` and the encoding it was read in; throws `CSVError.unreadableEncoding` when it is none
    /// of them (`path` names the file in the error).
    /// A leading byte-order mark is dropped.
    public static func decode(_ data: Data, path: String) throws -> (text: String, encoding: Encoding) {
        if let text = String(data: data, encoding: .utf8) {
            return (text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text, .utf8)
        }
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]),
           let text = String(data: data, encoding: .utf16) {
            return (text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text, .utf16)
        }
        if let text = gb18030(data) { return (text, .gb18030) }
        throw CSVError.unreadableEncoding(path)
    }

    /// `data` decoded from GB18030, or nil when it holds a byte sequence GB18030 does not define.
    static func gb18030(_ data: Data) -> String? {
        let converter = iconv_open("UTF-8", "GB18030")
        guard let converter, converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var input = [UInt8](data)
        // A GB18030 character of n bytes is at most n + 1 bytes of UTF-8 (2 → 3, 4 → 4).
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        let capacity = output.count
        var written = 0
        let complete = input.withUnsafeMutableBytes { inBytes -> Bool in
            output.withUnsafeMutableBytes { outBytes -> Bool in
                var inPointer = inBytes.baseAddress?.assumingMemoryBound(to: CChar.self)
                var inLeft = inBytes.count
                var outPointer = outBytes.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outLeft = capacity
                let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                written = capacity - outLeft
                return result != -1 && inLeft == 0
            }
        }
        guard complete else { return nil }
        return String(decoding: output[..<written], as: UTF8.self)
    }
}
