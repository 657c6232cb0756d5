import BrokkrCommon
import Foundation
import PostgresNIO

/// SQL for `stack_templates` (immutable versions) and `rendered_deployment_objects` (provenance).
public struct TemplateStore: Sendable {
    let sql: any SQLExecutor

    public init(sql: any SQLExecutor) { self.sql = sql }

    /// Inserts the next version of `(generator, name)`: 1 for a new name. The advisory lock serialises
    /// concurrent creators of the same name so versions never collide.
    public func createNextVersion(generatorID: UUID?, name: String, description: String?, content: String, schema: String) async throws
        -> StackTemplate
    {
        _ = try await sql.rows("SELECT pg_advisory_xact_lock(hashtext(\(generatorID?.uuidString ?? "system") || '/' || \(name)))")
        return try await sql.model(
            """
            INSERT INTO stack_templates (generator_id, name, description, version, template_content, parameters_schema, checksum)
            VALUES (\(generatorID), \(name), \(description),
                    (SELECT COALESCE(max(version), 0) + 1 FROM stack_templates
                     WHERE generator_id IS NOT DISTINCT FROM \(generatorID) AND name = \(name)),
                    \(content), \(schema), \(Checksum.sha256Hex(content)))
            RETURNING *
            """, as: StackTemplate.self)!
    }

    public func get(_ id: UUID) async throws -> StackTemplate? {
        try await sql.model("SELECT * FROM stack_templates WHERE id = \(id) AND deleted_at IS NULL", as: StackTemplate.self)
    }

    /// All live templates for the admin; system templates then the generator's own for a generator.
    public func list(visibleTo generatorID: UUID?) async throws -> [StackTemplate] {
        try await sql.models(
            """
            SELECT * FROM stack_templates t
            WHERE t.deleted_at IS NULL AND (\(generatorID)::uuid IS NULL OR t.generator_id IS NULL OR t.generator_id = \(generatorID))
            ORDER BY (t.generator_id IS NOT NULL), t.name, t.version
            """, as: StackTemplate.self)
    }

    public func softDelete(_ id: UUID) async throws -> Bool {
        try await sql.affectedRows("UPDATE stack_templates SET deleted_at = now() WHERE id = \(id) AND deleted_at IS NULL RETURNING id") > 0
    }

    /// Copies labels and annotations from one version to the next, so matching does not change silently.
    public func copyTags(from old: UUID, to new: UUID) async throws {
        _ = try await sql.rows(
            "INSERT INTO template_labels (template_id, label) SELECT \(new), label FROM template_labels WHERE template_id = \(old)")
        _ = try await sql.rows(
            """
            INSERT INTO template_annotations (template_id, key, value) SELECT \(new), key, value FROM template_annotations WHERE template_id = \(old)
            """)
    }

    public func recordRendering(deploymentObjectID: UUID, template: StackTemplate, parameters: String) async throws {
        _ = try await sql.rows(
            """
            INSERT INTO rendered_deployment_objects (deployment_object_id, template_id, template_version, template_parameters)
            VALUES (\(deploymentObjectID), \(template.id), \(template.version), \(parameters))
            """)
    }
}
