import Foundation
import MinhuText
import Testing

/// The file-only `minhu` commands (classifier, hotspots) run as the built executable: a message-board export with
/// Chinese headers is read as it is, and bad input ends with a specific error and nothing written. No servers.
@Suite("minhu classifier and hotspots on files")
struct TextCommandTests {
    /// Runs `minhu` with `arguments` in a fresh folder holding `files`; returns its exit status, output and folder.
    static func minhu(_ arguments: [String], files: [String: String], bytes: [String: Data] = [:]) async throws -> (status: Int32?, output: String, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minhu-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        for (name, data) in bytes { try data.write(to: folder.appendingPathComponent(name)) }
        let resolved = arguments.map { $0.hasPrefix("@") ? folder.appendingPathComponent(String($0.dropFirst())).path : $0 }
        let (status, output) = try await ChildProcess.with("minhu", arguments: resolved, environment: ["PATH": "/usr/bin:/bin"]) {
            (await $0.waitForExit(timeout: .seconds(120)), $0.log)
        }
        return (status, output, folder)
    }

    static let export = """
        留言编号,留言用户,留言主题,留言时间,留言详情,反对数,点赞数
        1,A001,A2区丽发新城附近搅拌站噪音扰民,2019/11/13 9:00:00,搅拌站日夜施工，噪音很大，居民无法休息。,0,5
        2,A002,丽发新城搅拌站噪音严重影响居民生活,2019/11/15 10:00:00,小区旁边的搅拌站晚上也在作业，噪音扰民。,0,3
        3,A003,投诉丽发新城旁搅拌站夜间噪音,2019/11/20 21:30:00,搅拌站夜间施工噪音大，请尽快处理。,1,2
        4,A004,咨询新生儿医保办理流程,2019/11/21 8:00:00,孩子刚出生，想问怎么办理医保。,0,0
        5,A005,A7县某路段路灯长期不亮,2019/11/22 19:00:00,晚上出行很不安全，希望修复路灯。,0,0

        """

    @Test("hotspots reads an export with Chinese headers and finds the repeated complaint")
    func hotspotsOnExport() async throws {
        let run = try await Self.minhu(["hotspots", "--input", "@export.csv", "--format", "json", "--top", "3"],
                                       files: ["export.csv": Self.export])
        defer { try? FileManager.default.removeItem(at: run.folder) }
        #expect(run.status == 0, "\(run.output)")
        let spots = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [[String: Any]]
        let top = try #require(spots?.first)
        #expect(Set(top["ids"] as? [String] ?? []) == ["1", "2", "3"])
        #expect((top["first"] as? String)?.hasPrefix("2019-11-13T09:00:00") == true)
        #expect(top["people"] as? Int == 3) // 留言用户 A001, A002, A003
    }

    @Test("an export saved in GBK (Excel's CSV on Chinese Windows) gives the same hotspots and classes as in UTF-8")
    func gbkExport() async throws {
        // The export converted by the C library's iconv program (libc-bin, on every Debian machine).
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minhu-gbk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let utf8 = folder.appendingPathComponent("utf8.csv")
        try Data(Self.export.utf8).write(to: utf8)
        let iconv = Process()
        iconv.executableURL = URL(fileURLWithPath: "/usr/bin/iconv")
        iconv.arguments = ["-f", "UTF-8", "-t", "GB18030", utf8.path]
        let pipe = Pipe()
        iconv.standardOutput = pipe
        try iconv.run()
        let gbk = pipe.fileHandleForReading.readDataToEndOfFile()
        iconv.waitUntilExit()
        #expect(iconv.terminationStatus == 0 && String(data: gbk, encoding: .utf8) == nil)
        var hotspots: [String] = []
        var classes: [String] = []
        for name in ["utf8.csv", "gbk.csv"] {
            let files = ["utf8.csv": Self.export]
            let spots = try await Self.minhu(["hotspots", "--format", "json", "--top", "3", "--input", "@" + name],
                                             files: files, bytes: ["gbk.csv": gbk])
            let classified = try await Self.minhu(["classifier", "classify", "--input", "@" + name, "--output", "@out.csv"],
                                                  files: files, bytes: ["gbk.csv": gbk])
            defer { for run in [spots, classified] { try? FileManager.default.removeItem(at: run.folder) } }
            #expect(spots.status == 0 && classified.status == 0, "\(spots.output)\n\(classified.output)")
            hotspots.append(spots.output.split(separator: "\n").filter { !$0.hasPrefix("note:") }.joined(separator: "\n"))
            classes.append((try? String(contentsOf: classified.folder.appendingPathComponent("out.csv"), encoding: .utf8)) ?? "")
        }
        #expect(hotspots[0] == hotspots[1])
        #expect(hotspots[0].contains("丽发新城"), "\(hotspots[0])")
        #expect(classes[0] == classes[1])
        #expect(classes[0].hasPrefix("id,category,confidence\n1,") && classes[0].split(separator: "\n").count == 6, "\(classes[0])")
    }

    @Test("classify refuses a file with no text column, naming its columns, and writes nothing")
    func classifyWithoutText() async throws {
        let run = try await Self.minhu(["classifier", "classify", "--input", "@in.csv", "--output", "@out.csv"],
                                       files: ["in.csv": "编号,用户,时间\n1,A0001,2019/1/1 8:00:00\n"])
        defer { try? FileManager.default.removeItem(at: run.folder) }
        #expect(run.status != nil && run.status != 0)
        #expect(run.output.contains("its columns are: 编号, 用户, 时间"), "\(run.output)")
        #expect(!FileManager.default.fileExists(atPath: run.folder.appendingPathComponent("out.csv").path))
    }

    @Test("train refuses data with one category and writes no model")
    func trainOneCategory() async throws {
        let csv = "id,title,detail,category\n1,路灯坏了,晚上很黑,城乡建设\n2,工地噪音扰民,夜间施工,城乡建设\n"
        let run = try await Self.minhu(["classifier", "train", "--data", "@one.csv", "--out", "@model.mhc"],
                                       files: ["one.csv": csv])
        defer { try? FileManager.default.removeItem(at: run.folder) }
        #expect(run.status != nil && run.status != 0)
        #expect(run.output.contains("at least two categories"), "\(run.output)")
        #expect(!FileManager.default.fileExists(atPath: run.folder.appendingPathComponent("model.mhc").path))
    }

    @Test("train with a taxonomy that names none of the categories writes no model; one that names them stores its terms")
    func trainWithTaxonomy() async throws {
        let csv = "id,title,detail,category\n1,路灯坏了,晚上很黑,城乡建设\n2,工地噪音扰民,夜间施工,城乡建设\n"
            + "3,公交车绕路,司机不按线路走,交通运输\n4,出租车拒载,乘客投诉,交通运输\n"
        let elsewhere = "level1,level2,level3\n农村农业,农业生产,种植业\n"
        let refused = try await Self.minhu(["classifier", "train", "--data", "@two.csv", "--taxonomy", "@tree.csv",
                                            "--out", "@model.mhc"], files: ["two.csv": csv, "tree.csv": elsewhere])
        defer { try? FileManager.default.removeItem(at: refused.folder) }
        #expect(refused.status != nil && refused.status != 0)
        #expect(refused.output.contains("none of the 2 categories is a level1 of"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: refused.folder.appendingPathComponent("model.mhc").path))

        let tree = "level1,level2,level3\n城乡建设,城市建设和市政管理,路灯照明\n交通运输,道路运输,出租汽车\n"
        let trained = try await Self.minhu(["classifier", "train", "--data", "@two.csv", "--taxonomy", "@tree.csv",
                                            "--out", "@model.mhc"], files: ["two.csv": csv, "tree.csv": tree])
        defer { try? FileManager.default.removeItem(at: trained.folder) }
        #expect(trained.status == 0, "\(trained.output)")
        let model = try TextClassifier(contentsOf: trained.folder.appendingPathComponent("model.mhc"))
        #expect(model.header.features.taxonomyWeight == 2)
        #expect(model.header.taxonomyTerms?[model.labels.firstIndex(of: "交通运输")!].contains("出租汽车") == true)
        #expect(model.header.provenance["taxonomy"] == "tree.csv")
    }

    @Test("train labels raw messages through their segmented twins, never through a held-out one")
    func trainLabelsThroughTwins() async throws {
        let segmented = "id,text,category\n"
            + "s1,市 西湖 建筑 集团 占 道 施工 安全隐患 每天 上下班 期间 路上 人流 车流 安全隐患,城乡建设\n"
            + "s2,公交 线路 站点 太少 出行 不便 希望 增加 班次 延长 运营 时间,交通运输\n"
            + "s3,出租车 司机 拒载 绕路 乘客 投诉 无门 希望 加强 管理,交通运输\n"
            + "s4,小区 路灯 损坏 晚上 出行 不安全 希望 尽快 维修,城乡建设\n"
        let raw = "id,title,detail\n"
            + "r1,西湖建筑集团占道施工,A市西湖建筑集团占道施工有安全隐患。每天上下班期间这条路上人流车流极多，安全隐患非常大。\n"
            + "r2,公交线路太少,公交线路站点太少，出行不便，希望增加班次，延长运营时间。\n"
            + "r3,咨询新生儿医保,孩子刚出生，想问怎么办理医保。\n"
        // r2 is held out (its segmented twin s2 goes too), so it is neither labelled nor trained on.
        let run = try await Self.minhu(["classifier", "train", "--data", "@seg.csv", "--label-through-twins", "@raw.csv",
                                        "--holdout-ids", "@held.txt", "--holdout-data", "@raw.csv", "--out", "@model.mhc"],
                                       files: ["seg.csv": segmented, "raw.csv": raw, "held.txt": "r2\n"])
        defer { try? FileManager.default.removeItem(at: run.folder) }
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("removed 1 training rows matching them"), "\(run.output)")
        #expect(run.output.contains("labelled 1 of 3 messages of"), "\(run.output)")
        #expect(run.output.contains("trained on 4 examples"), "\(run.output)")
        let model = try TextClassifier(contentsOf: run.folder.appendingPathComponent("model.mhc"))
        #expect(model.header.provenance["labelledThroughTwins"] == "1 messages of raw.csv")
    }

    @Test("out-of-range options are refused by name", arguments: [
        (["hotspots", "--input", "@export.csv", "--merge-threshold", "0"], "--merge-threshold"),
        (["hotspots", "--input", "@export.csv", "--top", "0"], "--top"),
        (["hotspots", "--input", "@export.csv", "--rank", "likes"], "--rank"),
        (["classifier", "split", "--data", "@export.csv", "--fraction", "1.5", "--out", "@ids.txt"], "--fraction"),
        (["classifier", "train", "--data", "@export.csv", "--taxonomy", "@export.csv", "--taxonomy-weight", "0",
          "--out", "@m.mhc"], "--taxonomy-weight must be positive"),
        (["classifier", "train", "--data", "@export.csv", "--taxonomy-weight", "1", "--out", "@m.mhc"],
         "--taxonomy-weight needs --taxonomy"),
    ])
    func badOptions(arguments: [String], option: String) async throws {
        let run = try await Self.minhu(arguments, files: ["export.csv": Self.export])
        defer { try? FileManager.default.removeItem(at: run.folder) }
        #expect(run.status != nil && run.status != 0)
        #expect(run.output.contains(option), "\(run.output)")
    }

    @Test("a missing or empty input, or an output in a missing folder, is refused in a sentence, before any work", arguments: [
        (["classifier", "classify", "--input", "@none.csv", "--output", "@out.csv"], "cannot read", "none.csv: no such file"),
        (["classifier", "classify", "--input", "@empty.csv", "--output", "@out.csv"], "empty.csv is empty", nil),
        (["classifier", "classify", "--input", "@export.csv", "--output", "@no/out.csv"], "cannot write", "does not exist"),
        (["classifier", "classify", "--input", "@export.csv", "--output", "@out.csv", "--model", "@none.mhc"],
         "cannot read", "none.mhc: no such file"),
        (["classifier", "evaluate", "--data", "@none.csv"], "cannot read", "none.csv: no such file"),
        (["classifier", "classify", "--input", "@export.csv", "--output", "@out.csv", "--model", "@export.csv"],
         "export.csv: not a Minhu classifier model", nil),
        (["classifier", "classify", "--input", "@export.csv", "--output", "@out.csv", "--model", "@damaged.mhc"],
         "damaged.mhc: not a Minhu classifier model", "damaged header"),
        (["classifier", "train", "--data", "@export.csv", "--out", "@no/m.mhc"], "cannot write", "does not exist"),
        (["classifier", "split", "--data", "@export.csv", "--out", "@no/ids.txt"], "cannot write", "does not exist"),
        (["classifier", "train", "--data", "@export.csv", "--label-column", "留言用户", "--label-through-twins", "@none.csv",
          "--out", "@m.mhc"], "cannot read", "none.csv: no such file"),
        (["hotspots", "--input", "@none.csv"], "cannot read", "none.csv: no such file"),
        (["hotspots", "--input", "@"], "cannot read", "it is a folder"),
        (["hotspots", "--input", "@cut.csv"], "cut.csv: the quoted field opened on line 3 is never closed", nil),
        (["classifier", "classify", "--input", "@cut.csv", "--output", "@out.csv"], "line 3 is never closed", nil),
        (["classifier", "classify", "--input", "@bom.csv", "--output", "@out.csv"], "bom.csv is empty", nil),
        (["classifier", "classify", "--input", "@export.csv", "--output", "@export.csv"], "cannot write",
         "is the input file"),
        (["classifier", "split", "--data", "@export.csv", "--label-column", "留言用户", "--fraction", "0.01",
          "--out", "@ids.txt"],
         "--fraction 0.01 holds out no row", "nothing written"),
        (["classifier", "split", "--data", "@export.csv", "--label-column", "留言用户", "--fraction", "0.99",
          "--out", "@ids.txt"],
         "--fraction 0.99 holds out every row", "nothing written"),
    ] as [([String], String, String?)])
    func unreadableFiles(arguments: [String], error: String, detail: String?) async throws {
        let cut = "id,title,detail\n1,路灯不亮,晚上很黑\n2,噪音扰民,\"工地夜间施工，"
        let run = try await Self.minhu(arguments, files: ["export.csv": Self.export, "empty.csv": " \n", "cut.csv": cut],
                                       bytes: ["bom.csv": Data([0xEF, 0xBB, 0xBF, 0x0A]),
                                               "damaged.mhc": Data("MHC1".utf8) + Data([5, 0, 0, 0])
                                                   + Data("{bad}".utf8)])
        defer { try? FileManager.default.removeItem(at: run.folder) }
        #expect(run.status != nil && run.status != 0)
        #expect(run.output.contains(error), "\(run.output)")
        if let detail { #expect(run.output.contains(detail), "\(run.output)") }
        #expect(!run.output.contains("NSCocoaErrorDomain") && !run.output.contains("classified"), "\(run.output)")
        let written = try FileManager.default.contentsOfDirectory(atPath: run.folder.path).sorted()
        #expect(written == ["bom.csv", "cut.csv", "damaged.mhc", "empty.csv", "export.csv"], "\(written)")
        #expect(try String(contentsOf: run.folder.appendingPathComponent("export.csv"), encoding: .utf8) == Self.export)
    }

    @Test("train refuses two categories whose texts are one text, as training counts them, and writes no model")
    func trainOneDistinctText() async throws {
        let csv = "id,title,detail,category\n1,噪音,扰民,环境保护\n2,噪音，,扰民！,劳动和社会保障\n"
        let run = try await Self.minhu(["classifier", "train", "--data", "@dup.csv", "--out", "@model.mhc"],
                                       files: ["dup.csv": csv])
        defer { try? FileManager.default.removeItem(at: run.folder) }
        #expect(run.status != nil && run.status != 0)
        #expect(run.output.contains("at least two categories") && run.output.contains("distinct texts: 1"), "\(run.output)")
        #expect(!FileManager.default.fileExists(atPath: run.folder.appendingPathComponent("model.mhc").path))
    }

    @Test("evaluate leaves out rows whose label the model cannot give, and says which; an id list with a BOM loses no id")
    func evaluateUnknownLabels() async throws {
        let csv = "id,title,detail,category\n1,小区噪音扰民,工地夜间施工噪音很大，居民无法休息,环境保护\n"
            + "2,公司拖欠工资,公司拖欠工资三个月，讨要无果,劳动和社会保障\n3,学校乱收费,学校乱收费,其他\n4,学校乱收费,学校乱收费,\n"
        let ids = Data([0xEF, 0xBB, 0xBF] + Array("1\n2\n3\n".utf8))
        let run = try await Self.minhu(["classifier", "evaluate", "--data", "@ev.csv", "--ids", "@ids.txt"],
                                       files: ["ev.csv": csv], bytes: ["ids.txt": ids])
        defer { try? FileManager.default.removeItem(at: run.folder) }
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("warning: 1 of 3 rows are left out") && run.output.contains("其他 ×1"), "\(run.output)")
        #expect(run.output.contains("(n=2)"), "\(run.output)")
        let none = try await Self.minhu(["classifier", "evaluate", "--data", "@ev.csv", "--label-column", "title"],
                                        files: ["ev.csv": csv])
        defer { try? FileManager.default.removeItem(at: none.folder) }
        #expect(none.status != nil && none.status != 0)
        #expect(none.output.contains("no row of"), "\(none.output)")
    }

    @Test("classify writes through a symbolic link, keeping the link")
    func classifyThroughLink() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minhu-link-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("target.csv"), link = folder.appendingPathComponent("link.csv")
        try Data("old\n".utf8).write(to: target)
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "target.csv")
        let run = try await Self.minhu(["classifier", "classify", "--input", "@export.csv", "--output", link.path],
                                       files: ["export.csv": Self.export])
        defer { try? FileManager.default.removeItem(at: run.folder) }
        #expect(run.status == 0, "\(run.output)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == "target.csv")
        #expect(try String(contentsOf: target, encoding: .utf8).hasPrefix("id,category,confidence\n1,"))
    }

    @Test("hotspots refuses a gazetteer it cannot use, as the dispatcher does, and shows a title on one line")
    func hotspotsGazetteerAndTable() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minhu-gaz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("bad.json"), input = folder.appendingPathComponent("in.csv")
        try Data("{bad".utf8).write(to: bad)
        try Data(Self.export.utf8).write(to: input)
        let (status, output) = try await ChildProcess.with(
            "minhu", arguments: ["hotspots", "--input", input.path],
            environment: ["PATH": "/usr/bin:/bin", "MINHU_GAZETTEER_FILE": bad.path]) {
            (await $0.waitForExit(timeout: .seconds(120)), $0.log)
        }
        #expect(status != nil && status != 0)
        #expect(output.contains("MINHU_GAZETTEER_FILE") && output.contains("not valid JSON"), "\(output)")

        let broken = "id,title,submitted_at,detail\n"
            + "1,\"丽发新城搅拌站\n噪音扰民\",2019/11/13 9:00:00,搅拌站日夜施工噪音很大\n"
            + "2,\"丽发新城搅拌站\n噪音扰民\",2019/11/14 9:00:00,搅拌站日夜施工噪音很大\n"
        let run = try await Self.minhu(["hotspots", "--input", "@broken.csv"], files: ["broken.csv": broken])
        defer { try? FileManager.default.removeItem(at: run.folder) }
        #expect(run.status == 0, "\(run.output)")
        let rows = run.output.split(separator: "\n").filter { $0.hasPrefix("1\t") }
        #expect(rows.count == 1 && rows.first?.hasSuffix("丽发新城搅拌站 噪音扰民") == true, "\(run.output)")
    }
    @Test("a report that cannot be written (a full disk) is a failure (1), not a success with the report cut short")
    func unwritableOutput() async throws {
        let labelled = "id,title,detail,category\n1,小区路灯不亮,晚上很黑,城乡建设\n2,学校乱收费,补课费,教育文体\n"
        let run = try await Self.minhu(["hotspots", "--input", "@export.csv"],
                                       files: ["export.csv": Self.export, "labelled.csv": labelled])
        defer { try? FileManager.default.removeItem(at: run.folder) }
        #expect(run.status == 0, "\(run.output)")
        let minhu = PrivateServers.binDirectory.appendingPathComponent("minhu").path
        let input = run.folder.appendingPathComponent("export.csv").path
        for command in [["hotspots", "--input", input, "--format", "json"],
                        ["classifier", "classify", "--input", input, "--output", "-"],
                        ["classifier", "evaluate", "--data", run.folder.appendingPathComponent("labelled.csv").path]] {
            let (status, output) = try await ChildProcess.with(
                "/bin/sh", arguments: ["-c", "exec \"$@\" >/dev/full", "sh", minhu] + command,
                environment: ["PATH": "/usr/bin:/bin"]) {
                (await $0.waitForExit(timeout: .seconds(120)), $0.log)
            }
            #expect(status == 1, "\(command): \(output)")
            #expect(output.contains("Error: cannot write the output: No space left on device"), "\(output)")
        }
    }

    @Test("train and split say what they leave out: rows without a label, and categories with few examples")
    func thinData() async throws {
        let data = "id,title,detail,category\n1,小区路灯不亮,晚上很黑,城乡建设\n2,学校乱收费,补课费,教育文体\n"
            + "3,公交车绕路,没有通知,交通运输\n4,没有标签,不知道,\n5,路灯坏了,一个月没修,城乡建设\n"
            + "6,幼儿园收费高,每月三千,教育文体\n7,出租车拒载,火车站,交通运输\n"
        let train = try await Self.minhu(["classifier", "train", "--data", "@d.csv", "--out", "@m.mhc"],
                                         files: ["d.csv": data])
        defer { try? FileManager.default.removeItem(at: train.folder) }
        #expect(train.status == 0, "\(train.output)")
        #expect(train.output.contains("1 rows of") && train.output.contains("empty category and are left out"))
        #expect(train.output.contains("fewer than 20 distinct examples of 交通运输 (2), 城乡建设 (2), 教育文体 (2)"),
                "\(train.output)")
        let split = try await Self.minhu(["classifier", "split", "--data", "@d.csv", "--fraction", "0.5",
                                          "--out", "@ids.txt"], files: ["d.csv": data])
        defer { try? FileManager.default.removeItem(at: split.folder) }
        #expect(split.output.contains("empty category and are left out"), "\(split.output)")
        let ids = try String(contentsOf: split.folder.appendingPathComponent("ids.txt"), encoding: .utf8)
        #expect(!ids.split(separator: "\n").contains("4"), "an unlabelled row is no class: \(ids)")
    }

    @Test("classify --output - writes the CSV alone to standard output")
    func classifyToStandardOutput() async throws {
        let run = try await Self.minhu(["classifier", "classify", "--input", "@export.csv", "--output", "-"],
                                       files: ["export.csv": Self.export])
        defer { try? FileManager.default.removeItem(at: run.folder) }
        #expect(run.status == 0, "\(run.output)")
        let lines = run.output.split(separator: "\n")
        #expect(lines.first == "id,category,confidence")
        #expect(lines.filter { $0.hasPrefix("1,") || $0.hasPrefix("5,") }.count == 2, "\(run.output)")
        #expect(lines.last == "classified 5 rows", "the summary, on standard error, comes last: \(run.output)")
        #expect(!FileManager.default.fileExists(atPath: run.folder.appendingPathComponent("-").path))
    }

    @Test("hotspots refuse a file without dates, and say when titles are taken from the text")
    func hotspotsNeedDates() async throws {
        let undated = "id,title,detail\n1,搅拌站噪音扰民,夜间施工\n2,搅拌站噪音扰民,夜间施工\n"
        let run = try await Self.minhu(["hotspots", "--input", "@undated.csv"], files: ["undated.csv": undated])
        defer { try? FileManager.default.removeItem(at: run.folder) }
        #expect(run.status == 1)
        #expect(run.output.contains("no row has a readable submitted_at"), "\(run.output)")
        let untitled = "id,submitted_at,detail\n1,2019/11/13 9:00:00,尊敬的领导：您好！丽发新城搅拌站噪音扰民。\n"
            + "2,2019/11/14 9:00:00,胡书记您好，丽发新城搅拌站噪音扰民。\n"
        let notes = try await Self.minhu(["hotspots", "--input", "@untitled.csv"], files: ["untitled.csv": untitled])
        defer { try? FileManager.default.removeItem(at: notes.folder) }
        #expect(notes.status == 0)
        #expect(notes.output.contains("has no title column"), "\(notes.output)")
        #expect(notes.output.contains("\t丽发新城搅拌站噪音扰民"), "\(notes.output)")
    }

    @Test("admin commands: bad codes and options are command-line errors (64); a file that cannot be used is a failure (1)")
    func adminExitStatuses() async throws {
        // A department code no appeal can carry: refused before anything is printed or declared.
        let topology = try await Self.minhu(["topology", "show", "--departments", "Bad.Code,water"], files: [:])
        defer { try? FileManager.default.removeItem(at: topology.folder) }
        #expect(topology.status == 64 && topology.output.contains("'Bad.Code' is not a department code"),
                "\(topology.output)")
        let amqp = try await Self.minhu(["bench", "amqp", "--confirm-every", "0"], files: [:])
        defer { try? FileManager.default.removeItem(at: amqp.folder) }
        #expect(amqp.status == 64 && amqp.output.contains("--confirm-every must be at least 1"), "\(amqp.output)")
        // A deputies file whose quoted field never closes: refused whole, exit 1, and no phone printed in full.
        let unclosed = "name,phones,level,constituency\n张三,13800138000,city,\"一区\n李四,13900139000,city,二区\n"
        let deputies = try await Self.minhu(["deputies", "import", "@deputies.csv", "--dry-run"],
                                            files: ["deputies.csv": unclosed])
        defer { try? FileManager.default.removeItem(at: deputies.folder) }
        #expect(deputies.status == 1 && deputies.output.contains("never closed"), "\(deputies.output)")
        #expect(!deputies.output.contains("13900139000"))
        let missing = try await Self.minhu(["deputies", "import", "@nothing.csv", "--dry-run"], files: [:])
        defer { try? FileManager.default.removeItem(at: missing.folder) }
        #expect(missing.status == 1 && missing.output.contains("cannot read"), "\(missing.output)")
    }
}
