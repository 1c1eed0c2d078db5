import Foundation
import Metrics

/// A swift-metrics backend that keeps counters, gauges and timers in memory and renders them as Prometheus
/// text (exposition format 0.0.4) for `/metrics`.
///
/// Bootstrap once per process with `MetricsSystem.bootstrap(PrometheusMetrics.shared)`.
public final class PrometheusMetrics: MetricsFactory, @unchecked Sendable {
    /// The process-wide registry.
    public static let shared = PrometheusMetrics()

    private let lock = NSLock()
    private var counters: [Key: CounterBox] = [:]
    private var gauges: [Key: GaugeBox] = [:]
    private var timers: [Key: TimerBox] = [:]

    public init() {}

    struct Key: Hashable, Comparable {
        var label: String
        var dimensions: [String]
        init(_ label: String, _ dimensions: [(String, String)]) {
            self.label = Self.sanitize(label)
            self.dimensions = dimensions.sorted { $0.0 < $1.0 }.map { "\(Self.sanitize($0.0))=\"\(Self.escape($0.1))\"" }
        }
        var labels: String { dimensions.isEmpty ? "" : "{\(dimensions.joined(separator: ","))}" }
        static func < (lhs: Key, rhs: Key) -> Bool { (lhs.label, lhs.labels) < (rhs.label, rhs.labels) }
        static func sanitize(_ name: String) -> String {
            String(name.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" ? $0 : "_" })
        }
        static func escape(_ value: String) -> String {
            value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
        }
    }

    final class CounterBox: CounterHandler, FloatingPointCounterHandler, @unchecked Sendable {
        private let lock = NSLock()
        private(set) var value: Double = 0
        var current: Double { lock.lock(); defer { lock.unlock() }; return value }
        func increment(by amount: Int64) { lock.lock(); value += Double(amount); lock.unlock() }
        func increment(by amount: Double) { lock.lock(); value += amount; lock.unlock() }
        func reset() { lock.lock(); value = 0; lock.unlock() }
    }

    final class GaugeBox: RecorderHandler, MeterHandler, @unchecked Sendable {
        private let lock = NSLock()
        private var value: Double = 0
        var current: Double { lock.lock(); defer { lock.unlock() }; return value }
        func record(_ value: Int64) { set(Double(value)) }
        func record(_ value: Double) { set(value) }
        func set(_ value: Int64) { set(Double(value)) }
        func set(_ value: Double) { lock.lock(); self.value = value; lock.unlock() }
        func increment(by amount: Double) { lock.lock(); value += amount; lock.unlock() }
        func decrement(by amount: Double) { lock.lock(); value -= amount; lock.unlock() }
    }

    /// Timers as a histogram with fixed second buckets.
    final class TimerBox: TimerHandler, @unchecked Sendable {
        static let bounds: [Double] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
        private let lock = NSLock()
        private var buckets = [UInt64](repeating: 0, count: TimerBox.bounds.count)
        private var count: UInt64 = 0
        private var sum: Double = 0
        func recordNanoseconds(_ duration: Int64) {
            let seconds = Double(duration) / 1e9
            lock.lock()
            for (index, bound) in Self.bounds.enumerated() where seconds <= bound { buckets[index] += 1 }
            count += 1
            sum += seconds
            lock.unlock()
        }
        var snapshot: (buckets: [UInt64], count: UInt64, sum: Double) {
            lock.lock(); defer { lock.unlock() }
            return (buckets, count, sum)
        }
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        lock.lock(); defer { lock.unlock() }
        let key = Key(label, dimensions)
        if let box = counters[key] { return box }
        let box = CounterBox()
        counters[key] = box
        return box
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        makeCounter(label: label, dimensions: dimensions) as! CounterBox
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        gauge(label, dimensions)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        gauge(label, dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        lock.lock(); defer { lock.unlock() }
        let key = Key(label, dimensions)
        if let box = timers[key] { return box }
        let box = TimerBox()
        timers[key] = box
        return box
    }

    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}

    private func gauge(_ label: String, _ dimensions: [(String, String)]) -> GaugeBox {
        lock.lock(); defer { lock.unlock() }
        let key = Key(label, dimensions)
        if let box = gauges[key] { return box }
        let box = GaugeBox()
        gauges[key] = box
        return box
    }

    /// The current value of a counter, 0 when it was never created (for tests and health output).
    public func counterValue(_ label: String, dimensions: [(String, String)] = []) -> Double {
        lock.lock(); defer { lock.unlock() }
        return counters[Key(label, dimensions)]?.current ?? 0
    }

    /// Everything in Prometheus text format.
    public func render() -> String {
        lock.lock()
        let counterSnapshot = counters.map { ($0.key, $0.value.current) }.sorted { $0.0 < $1.0 }
        let gaugeSnapshot = gauges.map { ($0.key, $0.value.current) }.sorted { $0.0 < $1.0 }
        let timerSnapshot = timers.map { ($0.key, $0.value.snapshot) }.sorted { $0.0 < $1.0 }
        lock.unlock()
        var out = ""
        var typed = Set<String>()
        func type(_ name: String, _ kind: String) {
            if typed.insert(name).inserted { out += "# TYPE \(name) \(kind)\n" }
        }
        for (key, value) in counterSnapshot {
            type(key.label, "counter")
            out += "\(key.label)\(key.labels) \(format(value))\n"
        }
        for (key, value) in gaugeSnapshot {
            type(key.label, "gauge")
            out += "\(key.label)\(key.labels) \(format(value))\n"
        }
        for (key, snapshot) in timerSnapshot {
            let name = key.label + "_seconds"
            type(name, "histogram")
            for (index, bound) in TimerBox.bounds.enumerated() {
                let labels = (key.dimensions + ["le=\"\(bound)\""]).joined(separator: ",")
                out += "\(name)_bucket{\(labels)} \(snapshot.buckets[index])\n"
            }
            let infLabels = (key.dimensions + ["le=\"+Inf\""]).joined(separator: ",")
            out += "\(name)_bucket{\(infLabels)} \(snapshot.count)\n"
            out += "\(name)_sum\(key.labels) \(format(snapshot.sum))\n"
            out += "\(name)_count\(key.labels) \(snapshot.count)\n"
        }
        return out
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
