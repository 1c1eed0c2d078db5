import Testing
@testable import MinhuModels

@Suite("Phone numbers")
struct PhoneTests {
    @Test("normalises Chinese phone numbers to canonical digits", arguments: [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("013800138000", "13800138000"),
        ("(+86) 139.1234.5678", "13912345678"),
        ("１３８００１３８０００", "13800138000"),
        ("0710-3456789", "07103456789"),
        ("010-12345678", "01012345678"),
        ("(0710) 345 6789", "07103456789"),
        ("+86 10 1234 5678", "01012345678"),
        ("+86 (0)710 3456789", "07103456789"),
        ("3456789", "3456789"),
    ])
    func normalises(input: String, expected: String) {
        #expect(Citizen.normalizePhone(input) == expected)
    }

    @Test("refuses what is not a phone number", arguments: [
        "", "12345", "abc", "1380013800", "138001380001", "+1 415 555 0100", "23800138000", "138 0013 800x",
        "00 12345678", "+86",
    ])
    func refuses(input: String) {
        #expect(Citizen.normalizePhone(input) == nil)
    }

    @Test("masks phone numbers", arguments: [
        ("13812341234", "138****1234"),
        ("+86 138-1234-1234", "138****1234"),
        ("07103456789", "071****6789"),
        ("3456789", "****89"),
        ("", "****"),
    ])
    func masks(input: String, expected: String) {
        #expect(Citizen.maskPhone(input) == expected)
    }

    @Test("a masked phone never contains the full number")
    func maskHidesNumber() {
        for phone in ["13800138000", "07103456789", "01012345678", "+86 139 1234 5678"] {
            let masked = Citizen.maskPhone(phone)
            #expect(!masked.contains(Citizen.normalizePhone(phone)!))
            #expect(masked.contains("****"))
        }
    }

    @Test("masks names to the surname")
    func masksNames() {
        #expect(Citizen.maskName("王秀英") == "王**")
        #expect(Citizen.maskName("李四") == "李*")
        #expect(Citizen.maskName("欧") == "*")
        #expect(Citizen.maskName("  ") == "")
    }

    @Test("a citizen is normalised on creation and masked for events")
    func citizenMasked() {
        let citizen = Citizen(name: "王秀英", phone: "+86 138-0013-8000", preferredChannel: .wechat)
        #expect(citizen.phone == "13800138000")
        #expect(citizen.masked == MaskedCitizen(name: "王**", phone: "138****8000", preferredChannel: .wechat))
        let anonymous = Citizen(name: "王秀英", phone: "13800138000", anonymous: true)
        #expect(anonymous.masked.name == nil)
        #expect(anonymous.masked.anonymous)
    }
}
