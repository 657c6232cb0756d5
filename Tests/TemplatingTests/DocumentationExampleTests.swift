import XCTest

@testable import BrokkrCommon
@testable import BrokkrJSONSchema
@testable import BrokkrTemplating

/// Every Tera template example in the Brokkr documentation (`/work/shared/seeds/000_f7adc1955c4f9f1e.txt`,
/// "seed" below) and the spec (`/work/shared/spec/01-user-workflows.md` §8, `03-reference.md` §7),
/// rendered with sensible parameters, with exact expected output.
///
/// Templates the seed shows as JSON strings (`"template_content": "..."`) are embedded verbatim as
/// JSON string literals and decoded. The seed's text extraction collapsed their YAML indentation to
/// one space; they are kept exactly as the seed has them. Templates the seed shows as Markdown
/// snippets lost their indentation entirely; they are reproduced with their natural YAML
/// indentation restored, which is noted at each one.
///
/// Not Tera templates, so not here: `${{ github.sha }}` (GitHub Actions, seed lines 1171-1206,
/// 2035-2048), `{{ $value | humanizePercentage }}` (Prometheus alerts, seed 7812-7868) and
/// `{{< mermaid >}}` (Hugo shortcodes, seed 001).
final class DocumentationExampleTests: XCTestCase {
    /// Decodes a `template_content` JSON string as the broker receives it.
    private func templateContent(_ jsonString: String) -> String {
        guard case .string(let text)? = try? JSONValue.parse(jsonString) else {
            XCTFail("bad template literal")
            return ""
        }
        return text
    }

    // MARK: - Templates tutorial (seed lines 1240-1400), spec 01 §8.9 (T4)

    /// Seed line 1262: the "web-service" template of the Templates tutorial, step 2.
    private lazy var webServiceV1 = templateContent(
        ##""apiVersion: v1\nkind: Namespace\nmetadata:\n name: {{ namespace }}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n name: {{ service_name }}\n namespace: {{ namespace }}\n labels:\n app: {{ service_name }}\n managed-by: brokkr\nspec:\n replicas: {{ replicas }}\n selector:\n matchLabels:\n app: {{ service_name }}\n template:\n metadata:\n labels:\n app: {{ service_name }}\n spec:\n containers:\n - name: {{ service_name }}\n image: {{ image_repository }}:{{ image_tag }}\n ports:\n - containerPort: {{ container_port }}\n resources:\n requests:\n cpu: {{ cpu_request }}\n memory: {{ memory_request }}\n limits:\n cpu: {{ cpu_limit }}\n memory: {{ memory_limit }}\n---\napiVersion: v1\nkind: Service\nmetadata:\n name: {{ service_name }}\n namespace: {{ namespace }}\nspec:\n selector:\n app: {{ service_name }}\n ports:\n - port: 80\n targetPort: {{ container_port }}""##
    )

    /// Spec 01 §8.6/§8.9: the schema's `default`s are merged into the parameters before rendering,
    /// which is why the documented output shows `cpu: 100m` although the request omits it.
    private let frontendParameters = json(
        #"""
        {"service_name": "frontend", "namespace": "frontend-app", "image_repository": "myregistry.example.com/frontend",
         "image_tag": "v2.1.0", "replicas": 3, "container_port": 3000, "memory_limit": "512Mi",
         "cpu_request": "100m", "memory_request": "128Mi", "cpu_limit": "500m"}
        """#)

    func testWebServiceTemplateFrontend() throws {
        let output = try TeraTemplate(source: webServiceV1).render(frontendParameters)
        let expected = """
            apiVersion: v1
            kind: Namespace
            metadata:
             name: frontend-app
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
             name: frontend
             namespace: frontend-app
             labels:
             app: frontend
             managed-by: brokkr
            spec:
             replicas: 3
             selector:
             matchLabels:
             app: frontend
             template:
             metadata:
             labels:
             app: frontend
             spec:
             containers:
             - name: frontend
             image: myregistry.example.com/frontend:v2.1.0
             ports:
             - containerPort: 3000
             resources:
             requests:
             cpu: 100m
             memory: 128Mi
             limits:
             cpu: 500m
             memory: 512Mi
            ---
            apiVersion: v1
            kind: Service
            metadata:
             name: frontend
             namespace: frontend-app
            spec:
             selector:
             app: frontend
             ports:
             - port: 80
             targetPort: 3000
            """
        XCTAssertEqual(output, expected)

        // Seed lines 1309-1355 ("Step 5: Verify the Rendered Output") show this output; the seed
        // lost the indentation, so compare line by line without it.
        let documented = """
            apiVersion: v1
            kind: Namespace
            metadata:
            name: frontend-app
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
            name: frontend
            namespace: frontend-app
            labels:
            app: frontend
            managed-by: brokkr
            spec:
            replicas: 3
            selector:
            matchLabels:
            app: frontend
            template:
            metadata:
            labels:
            app: frontend
            spec:
            containers:
            - name: frontend
            image: myregistry.example.com/frontend:v2.1.0
            ports:
            - containerPort: 3000
            resources:
            requests:
            cpu: 100m
            memory: 128Mi
            limits:
            cpu: 500m
            memory: 512Mi
            ---
            apiVersion: v1
            kind: Service
            metadata:
            name: frontend
            namespace: frontend-app
            spec:
            selector:
            app: frontend
            ports:
            - port: 80
            targetPort: 3000
            """
        XCTAssertEqual(
            output.split(separator: "\n", omittingEmptySubsequences: false).map { $0.drop { $0 == " " } },
            documented.split(separator: "\n", omittingEmptySubsequences: false).map { $0.drop { $0 == " " } })
    }

    /// Seed lines 1362-1383, step 6: the same template for a backend service.
    func testWebServiceTemplateBackend() {
        let parameters = json(
            #"""
            {"service_name": "api", "namespace": "backend-api", "image_repository": "myregistry.example.com/api",
             "image_tag": "v3.0.1", "replicas": 5, "container_port": 8080, "cpu_limit": "1000m", "memory_limit": "1Gi",
             "cpu_request": "100m", "memory_request": "128Mi"}
            """#)
        let expected = """
            apiVersion: v1
            kind: Namespace
            metadata:
             name: backend-api
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
             name: api
             namespace: backend-api
             labels:
             app: api
             managed-by: brokkr
            spec:
             replicas: 5
             selector:
             matchLabels:
             app: api
             template:
             metadata:
             labels:
             app: api
             spec:
             containers:
             - name: api
             image: myregistry.example.com/api:v3.0.1
             ports:
             - containerPort: 8080
             resources:
             requests:
             cpu: 100m
             memory: 128Mi
             limits:
             cpu: 1000m
             memory: 1Gi
            ---
            apiVersion: v1
            kind: Service
            metadata:
             name: api
             namespace: backend-api
            spec:
             selector:
             app: api
             ports:
             - port: 80
             targetPort: 8080
            """
        assertRenders(webServiceV1, parameters, expected)
    }

    /// Seed line 1389, step 7: version 2 of the template adds a liveness probe.
    func testWebServiceTemplateVersion2() {
        let template = templateContent(
            ##""apiVersion: v1\nkind: Namespace\nmetadata:\n name: {{ namespace }}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n name: {{ service_name }}\n namespace: {{ namespace }}\n labels:\n app: {{ service_name }}\n managed-by: brokkr\nspec:\n replicas: {{ replicas }}\n selector:\n matchLabels:\n app: {{ service_name }}\n template:\n metadata:\n labels:\n app: {{ service_name }}\n spec:\n containers:\n - name: {{ service_name }}\n image: {{ image_repository }}:{{ image_tag }}\n ports:\n - containerPort: {{ container_port }}\n livenessProbe:\n httpGet:\n path: /healthz\n port: {{ container_port }}\n initialDelaySeconds: 10\n periodSeconds: 30\n resources:\n requests:\n cpu: {{ cpu_request }}\n memory: {{ memory_request }}\n limits:\n cpu: {{ cpu_limit }}\n memory: {{ memory_limit }}\n---\napiVersion: v1\nkind: Service\nmetadata:\n name: {{ service_name }}\n namespace: {{ namespace }}\nspec:\n selector:\n app: {{ service_name }}\n ports:\n - port: 80\n targetPort: {{ container_port }}""##
        )
        let expected = """
            apiVersion: v1
            kind: Namespace
            metadata:
             name: frontend-app
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
             name: frontend
             namespace: frontend-app
             labels:
             app: frontend
             managed-by: brokkr
            spec:
             replicas: 3
             selector:
             matchLabels:
             app: frontend
             template:
             metadata:
             labels:
             app: frontend
             spec:
             containers:
             - name: frontend
             image: myregistry.example.com/frontend:v2.1.0
             ports:
             - containerPort: 3000
             livenessProbe:
             httpGet:
             path: /healthz
             port: 3000
             initialDelaySeconds: 10
             periodSeconds: 30
             resources:
             requests:
             cpu: 100m
             memory: 128Mi
             limits:
             cpu: 500m
             memory: 512Mi
            ---
            apiVersion: v1
            kind: Service
            metadata:
             name: frontend
             namespace: frontend-app
            spec:
             selector:
             app: frontend
             ports:
             - port: 80
             targetPort: 3000
            """
        assertRenders(template, frontendParameters, expected)
    }

    /// Spec 01 §8.6 / 03 §7.3: without the schema defaults merged in, the plain `{{ cpu_request }}`
    /// is an undefined variable and rendering fails.
    func testWebServiceTemplateWithoutDefaultsFails() {
        let parameters = json(
            #"""
            {"service_name": "frontend", "namespace": "frontend-app", "image_repository": "myregistry.example.com/frontend",
             "image_tag": "v2.1.0", "replicas": 3, "container_port": 3000, "memory_limit": "512Mi"}
            """#)
        assertRenderError(
            webServiceV1, parameters,
            "Variable `cpu_request` not found in context while rendering 'template'", line: 31)
    }

    // MARK: - Templates reference (seed lines 2480-2540)

    /// Seed line 2488: "Example: Nginx Deployment Template", with `default` filters.
    private lazy var nginx = templateContent(
        ##""apiVersion: apps/v1\nkind: Deployment\nmetadata:\n name: {{ name }}\n namespace: {{ namespace | default(value=\"default\") }}\nspec:\n replicas: {{ replicas | default(value=1) }}\n selector:\n matchLabels:\n app: {{ name }}\n template:\n metadata:\n labels:\n app: {{ name }}\n spec:\n containers:\n - name: nginx\n image: nginx:{{ version | default(value=\"latest\") }}\n ports:\n - containerPort: 80""##
    )

    func testNginxTemplateUsesDefaults() {
        let expected = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
             name: web
             namespace: default
            spec:
             replicas: 1
             selector:
             matchLabels:
             app: web
             template:
             metadata:
             labels:
             app: web
             spec:
             containers:
             - name: nginx
             image: nginx:latest
             ports:
             - containerPort: 80
            """
        assertRenders(nginx, json(#"{"name": "web"}"#), expected)
    }

    func testNginxTemplateWithAllParameters() {
        let expected = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
             name: web
             namespace: prod
            spec:
             replicas: 4
             selector:
             matchLabels:
             app: web
             template:
             metadata:
             labels:
             app: web
             spec:
             containers:
             - name: nginx
             image: nginx:1.25
             ports:
             - containerPort: 80
            """
        assertRenders(nginx, json(#"{"name": "web", "namespace": "prod", "replicas": 4, "version": "1.25"}"#), expected)
    }

    /// Spec 01 §8.7: rendering fails with "Variable `name` not found" when a required variable is missing.
    func testNginxTemplateWithoutNameFails() {
        assertRenderError(
            nginx, json(#"{"namespace": "prod"}"#),
            "Variable `name` not found in context while rendering 'template'", line: 4)
    }

    /// Seed lines 2493-2496, "Variable Substitution" (indentation restored).
    func testVariableSubstitutionSnippet() {
        let template = """
            metadata:
              name: {{ name }}
              namespace: {{ namespace }}
            """
        assertRenders(template, json(#"{"name": "web", "namespace": "apps"}"#), "metadata:\n  name: web\n  namespace: apps")
    }

    /// Seed lines 2498-2500, "Default Values" (indentation restored).
    func testDefaultValuesSnippet() {
        let template = """
            spec:
              replicas: {{ replicas | default(value=1) }}
            """
        assertRenders(template, json(#"{}"#), "spec:\n  replicas: 1")
        assertRenders(template, json(#"{"replicas": 4}"#), "spec:\n  replicas: 4")
    }

    /// Seed lines 2502-2516, "Conditionals" (indentation restored).
    func testConditionalHPASnippet() {
        let template = """
            {% if enable_hpa %}
            ---
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata:
              name: {{ name }}-hpa
            spec:
              scaleTargetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: {{ name }}
              minReplicas: {{ min_replicas | default(value=1) }}
              maxReplicas: {{ max_replicas | default(value=10) }}
            {% endif %}
            """
        let expected = """

            ---
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata:
              name: web-hpa
            spec:
              scaleTargetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: web
              minReplicas: 1
              maxReplicas: 5

            """
        assertRenders(template, json(#"{"enable_hpa": true, "name": "web", "max_replicas": 5}"#), expected)
        assertRenders(template, json(#"{"enable_hpa": false, "name": "web"}"#), "")
        // An absent flag is falsy, not an error.
        assertRenders(template, json(#"{"name": "web"}"#), "")
    }

    private let containers = json(
        #"""
        {"containers": [
          {"name": "app", "image": "registry/app:1.0", "ports": [8080, 9090]},
          {"name": "sidecar", "image": "envoy:1.29", "ports": [15001]}
        ]}
        """#)

    /// Seed lines 2518-2528, "Loops": nested loops and attribute access (indentation restored).
    /// Without whitespace control each tag line leaves its newline, as in Tera.
    func testNestedLoopSnippet() {
        let template = """
            spec:
              containers:
            {% for container in containers %}
              - name: {{ container.name }}
                image: {{ container.image }}
                ports:
            {% for port in container.ports %}
                - containerPort: {{ port }}
            {% endfor %}
            {% endfor %}
            """
        let expected =
            "spec:\n  containers:\n"
            + "\n  - name: app\n    image: registry/app:1.0\n    ports:\n"
            + "\n    - containerPort: 8080\n"
            + "\n    - containerPort: 9090\n"
            + "\n"
            + "\n  - name: sidecar\n    image: envoy:1.29\n    ports:\n"
            + "\n    - containerPort: 15001\n"
            + "\n"
        assertRenders(template, containers, expected)
    }

    /// The same loop with whitespace control, as users write it to get compact YAML.
    func testNestedLoopSnippetWithWhitespaceControl() {
        let template = """
            spec:
              containers:
            {%- for container in containers %}
              - name: {{ container.name }}
                image: {{ container.image }}
                ports:
              {%- for port in container.ports %}
                - containerPort: {{ port }}
              {%- endfor %}
            {%- endfor %}
            """
        let expected = """
            spec:
              containers:
              - name: app
                image: registry/app:1.0
                ports:
                - containerPort: 8080
                - containerPort: 9090
              - name: sidecar
                image: envoy:1.29
                ports:
                - containerPort: 15001
            """
        assertRenders(template, containers, expected)
    }

    /// Seed lines 2530-2535, "Filters": `lower`, `upper`, `slugify` (indentation restored).
    func testFiltersSnippet() {
        let template = """
            metadata:
              name: {{ name | lower }} # lowercase
              labels:
                version: "{{ version | upper }}" # uppercase
                slug: {{ name | slugify }} # URL-safe slug
            """
        let expected = """
            metadata:
              name: my web app # lowercase
              labels:
                version: "V1.2.0-RC1" # uppercase
                slug: my-web-app # URL-safe slug
            """
        assertRenders(template, json(#"{"name": "My Web App", "version": "v1.2.0-rc1"}"#), expected)
    }

    // MARK: - PostgreSQL example (seed lines 2655-2690)

    /// Seed line 2663, instantiated with the parameters of "3. Instantiate for Production" (seed 2674-2686).
    func testPostgresTemplate() {
        let template = templateContent(
            ##""apiVersion: v1\nkind: Secret\nmetadata:\n name: {{ name }}-credentials\n namespace: {{ namespace }}\nstringData:\n POSTGRES_USER: {{ username | default(value=\"postgres\") }}\n POSTGRES_PASSWORD: {{ password }}\n POSTGRES_DB: {{ database }}\n---\napiVersion: v1\nkind: Service\nmetadata:\n name: {{ name }}\n namespace: {{ namespace }}\nspec:\n ports:\n - port: 5432\n clusterIP: None\n selector:\n app: {{ name }}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n name: {{ name }}\n namespace: {{ namespace }}\nspec:\n serviceName: {{ name }}\n replicas: {{ replicas | default(value=1) }}\n selector:\n matchLabels:\n app: {{ name }}\n template:\n metadata:\n labels:\n app: {{ name }}\n spec:\n containers:\n - name: postgres\n image: postgres:{{ version | default(value=\"15\") }}\n ports:\n - containerPort: 5432\n envFrom:\n - secretRef:\n name: {{ name }}-credentials\n volumeMounts:\n - name: data\n mountPath: /var/lib/postgresql/data\n volumeClaimTemplates:\n - metadata:\n name: data\n spec:\n accessModes: [\"ReadWriteOnce\"]\n resources:\n requests:\n storage: {{ storage_size }}""##
        )
        let parameters = json(
            #"""
            {"name": "orders-db", "namespace": "production", "database": "orders", "password": "secure-password-here",
             "version": "15", "replicas": 3, "storage_size": "100Gi"}
            """#)
        let expected = """
            apiVersion: v1
            kind: Secret
            metadata:
             name: orders-db-credentials
             namespace: production
            stringData:
             POSTGRES_USER: postgres
             POSTGRES_PASSWORD: secure-password-here
             POSTGRES_DB: orders
            ---
            apiVersion: v1
            kind: Service
            metadata:
             name: orders-db
             namespace: production
            spec:
             ports:
             - port: 5432
             clusterIP: None
             selector:
             app: orders-db
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
             name: orders-db
             namespace: production
            spec:
             serviceName: orders-db
             replicas: 3
             selector:
             matchLabels:
             app: orders-db
             template:
             metadata:
             labels:
             app: orders-db
             spec:
             containers:
             - name: postgres
             image: postgres:15
             ports:
             - containerPort: 5432
             envFrom:
             - secretRef:
             name: orders-db-credentials
             volumeMounts:
             - name: data
             mountPath: /var/lib/postgresql/data
             volumeClaimTemplates:
             - metadata:
             name: data
             spec:
             accessModes: ["ReadWriteOnce"]
             resources:
             requests:
             storage: 100Gi
            """
        assertRenders(template, parameters, expected)
    }

    /// Seed lines 2687-2696, "Troubleshooting - Invalid Tera Syntax": unclosed `{{ }}` or `{% %}`,
    /// missing `{% endif %}` or `{% endfor %}`, invalid filter names are rejected at creation.
    func testTroubleshootingSyntaxErrors() {
        assertSyntaxError("name: {{ name", line: 1, column: 7, "unclosed `{{` tag")
        assertSyntaxError("{% if enabled\nx", line: 1, column: 1, "unclosed `{%` tag")
        assertSyntaxError("{% if enabled %}\nreplicas: 2\n", line: 1, column: 1, "expected `{% endif %}`")
        assertSyntaxError("ports:\n{% for p in ports %}\n- {{ p }}\n", line: 2, column: 1, "expected `{% endfor %}`")
        assertSyntaxError("name: {{ name | uppercase }}", line: 1, column: 17, "unknown filter `uppercase`")
    }

    // MARK: - Template architecture page (seed lines 4960-4980)

    /// Seed lines 4972-4976: the feature list of "Step 3: Tera Rendering".
    func testTeraRenderingFeatureList() {
        let context = json(#"{"service_name": "frontend", "enable_monitoring": true, "ports": [80, 443], "name": "frontend", "replicas": 3}"#)
        assertRendersAll(
            [
                ("{{ service_name }}", "frontend"),
                ("{% if enable_monitoring %}...{% endif %}", "..."),
                ("{% for port in ports %}...{% endfor %}", "......"),
                ("{{ name | upper }}", "FRONTEND"),
                ("{{ x | default(value=\"fallback\") }}", "fallback"),
                ("{{ replicas * 2 }}", "6"),
            ], context)
        assertRenders("{% if enable_monitoring %}...{% endif %}", json(#"{"enable_monitoring": false}"#), "")
    }

    // MARK: - API reference (seed lines 5460-5570), spec 03 §7.3

    /// Seed line 5471: the "Create Template" request body, instantiated with the "Instantiate
    /// Template" example parameters (seed 5500-5506).
    func testMinimalWebServiceTemplate() {
        let template = templateContent(
            ##""apiVersion: apps/v1\nkind: Deployment\nmetadata:\n name: {{ service_name }}\nspec:\n replicas: {{ replicas }}""##)
        let expected = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
             name: frontend
            spec:
             replicas: 3
            """
        assertRenders(template, json(#"{"service_name": "frontend", "replicas": 3}"#), expected)
    }

    /// Seed lines 5533-5535, "Variable Substitution".
    func testReferenceVariableSubstitution() {
        let template = "name: {{ service_name }}\nreplicas: {{ replicas }}\nimage: {{ repository }}:{{ tag }}"
        assertRenders(
            template, json(#"{"service_name": "frontend", "replicas": 3, "repository": "nginx", "tag": "1.25"}"#),
            "name: frontend\nreplicas: 3\nimage: nginx:1.25")
    }

    /// Seed lines 5537-5550, "Conditionals" (indentation restored). Variables of a branch that is
    /// not taken need not exist.
    func testReferenceConditional() {
        let template = """
            {% if enable_hpa %}
            ---
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata:
              name: {{ service_name }}
            spec:
              scaleTargetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: {{ service_name }}
              minReplicas: {{ min_replicas }}
              maxReplicas: {{ max_replicas }}
            {% endif %}
            """
        let expected = """

            ---
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata:
              name: frontend
            spec:
              scaleTargetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: frontend
              minReplicas: 2
              maxReplicas: 6

            """
        assertRenders(template, json(#"{"enable_hpa": true, "service_name": "frontend", "min_replicas": 2, "max_replicas": 6}"#), expected)
        assertRenders(template, json(#"{"enable_hpa": false, "service_name": "frontend"}"#), "")
        assertRenderError(
            template, json(#"{"enable_hpa": true, "service_name": "frontend"}"#),
            "Variable `min_replicas` not found in context while rendering 'template'", line: 12)
    }

    /// Seed lines 5552-5556, "Loops" over a map with `{% for key, value in env_vars %}`
    /// (indentation restored); keys come out sorted.
    func testReferenceKeyValueLoop() {
        let template = """
            env:
            {% for key, value in env_vars %}
              - name: {{ key }}
                value: "{{ value }}"
            {% endfor %}
            """
        let expected =
            "env:\n"
            + "\n  - name: API_URL\n    value: \"https://api.example.com\"\n"
            + "\n  - name: LOG_LEVEL\n    value: \"debug\"\n"
        assertRenders(template, json(#"{"env_vars": {"LOG_LEVEL": "debug", "API_URL": "https://api.example.com"}}"#), expected)
    }

    /// Seed lines 5558-5565: the filter table (`default`, `upper`, `lower`, `trim`, `replace`, `json_encode`).
    func testReferenceFilterTable() {
        assertRendersAll([
            ("{{ x | default(value=\"y\") }}", "y")
        ])
        assertRendersAll(
            [
                ("{{ x | upper }}", "HELLO WORLD"),
                ("{{ x | lower }}", "hello world"),
            ], json(#"{"x": "Hello World"}"#))
        assertRenders("[{{ x | trim }}]", json(#"{"x": "  padded \n"}"#), "[padded]")
        assertRenders("{{ x | replace(from=\"a\", to=\"b\") }}", json(#"{"x": "banana"}"#), "bbnbnb")
        assertRenders(
            "{{ x | json_encode }}", json(#"{"x": {"ports": [80, 443], "name": "web"}}"#),
            #"{"name":"web","ports":[80,443]}"#)
    }

    // MARK: - Source documentation (seed lines 22860-22960)

    /// `validate_tera_syntax` examples (seed 22881-22883).
    func testValidateTeraSyntaxExamples() {
        XCTAssertNoThrow(try TeraTemplate(source: "Hello, {{ name }}!"))
        XCTAssertThrowsError(try TeraTemplate(source: "Hello, {{ name !"))
    }

    /// `render_template` example (seed 22916-22918).
    func testRenderTemplateExample() throws {
        let result = try TeraTemplate(source: "name: {{ name }}\nreplicas: {{ replicas }}")
            .render(json(#"{"name": "my-app", "replicas": 3}"#))
        XCTAssertTrue(result.contains("name: my-app"))
        XCTAssertEqual(result, "name: my-app\nreplicas: 3")
    }
}
