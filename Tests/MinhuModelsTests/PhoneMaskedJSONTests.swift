import Foundation
import MinhuModels
import Testing

@Suite("Message bodies shown with phones masked")
struct PhoneMaskedJSONTests {
    @Test("every phone field is masked at any depth; other fields and non-JSON bodies give nothing away")
    func masksEverywhere() {
        let body = #"{"citizen":{"phone":"13800138000","name":"王"},"phone":"0710-3456789","list":[{"phone":"13900139000"}],"n":1}"#
        let shown = PhoneMaskedJSON.text(of: Data(body.utf8))
        #expect(!shown.contains("13800138000") && !shown.contains("3456789") && !shown.contains("13900139000"))
        #expect(shown.contains("138****8000") && shown.contains("\"name\":\"王\"") && shown.contains("\"n\":1"))
        #expect(PhoneMaskedJSON.text(of: Data("电话13800138000".utf8)) == "(17 bytes, not JSON)")
    }

    @Test("a phone written as a number or a list, and a deputy's phones, are masked too")
    func masksNumbersAndLists() {
        let body = #"{"phone":13800138000,"citizen":{"phone":["13900139000",13700137000]},"phones":["15800158000"]}"#
        let shown = PhoneMaskedJSON.text(of: Data(body.utf8))
        for number in ["13800138000", "13900139000", "13700137000", "15800158000"] {
            #expect(!shown.contains(number), "\(shown)")
        }
        #expect(shown.contains("138****8000") && shown.contains("158****8000"), "\(shown)")
    }
}
