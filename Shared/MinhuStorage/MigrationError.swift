import Foundation

/// Why migrating, or starting against the database's schema, failed.
public enum MigrationError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// An applied migration's file changed since: never edit an applied migration, add a new one.
    case checksumMismatch(version: Int, name: String, applied: String, bundled: String)
    /// The database records a migration this build does not have, below this build's latest version.
    case unknownAppliedMigration(version: Int, name: String)
    /// A migration older than the database's latest applied one has not been applied (a late merge): renumber it.
    case outOfOrder(version: Int, name: String, latestApplied: Int)
    /// A statement of a migration failed; the migration was rolled back.
    case failed(version: Int, name: String, statement: Int, reason: String)
    /// The database's schema is older than the service needs: run `minhu migrate` first.
    case schemaTooOld(required: Int, found: Int)
    case invalidFile(String, reason: String)
    case duplicateVersion(Int, String, String)
    case bundleMissing(String)
    /// A reference data file could not be loaded.
    case referenceData(file: String, reason: String)

    public var description: String {
        switch self {
        case .checksumMismatch(let version, let name, let applied, let bundled):
            "migration \(version) (\(name)) has changed since it was applied (checksum \(applied.prefix(12))… in the "
                + "database, \(bundled.prefix(12))… now): never edit an applied migration, add a new one"
        case .unknownAppliedMigration(let version, let name):
            "the database has migration \(version) (\(name)) applied, which this build does not know"
        case .outOfOrder(let version, let name, let latestApplied):
            "migration \(version) (\(name)) is older than the latest applied migration \(latestApplied) but was "
                + "never applied: give it a number after \(latestApplied)"
        case .failed(let version, let name, let statement, let reason):
            "migration \(version) (\(name)) failed at statement \(statement) and was rolled back: \(reason)"
        case .schemaTooOld(let required, let found):
            "the database schema is at version \(found), this service needs \(required) or later: run `minhu migrate`"
        case .invalidFile(let file, let reason):
            "migration file \(file): \(reason)"
        case .duplicateVersion(let version, let first, let second):
            "two migrations share version \(version): \(first) and \(second)"
        case .bundleMissing(let reason):
            reason
        case .referenceData(let file, let reason):
            "reference data \(file): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
