package fr.snp.dispatch.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The API's published contract: {@code openapi.yaml} on the class path, the one description of every route under
 * /api/v1 (parameters, bodies, answers, errors, the roles of each route in {@code x-roles} and its tenant rule in
 * {@code x-tenant}). Served as it is written (GET /api/v1/openapi.yaml) and as JSON (GET /api/v1/openapi.json);
 * ContractTest holds it to the router, the route table and the answer codes, and every API test's answer is checked
 * against it.
 */
public final class ApiContract {
    public static final String RESOURCE = "openapi.yaml";

    private final String yaml;
    private final JsonObject json;
    private final String jsonText;

    private ApiContract(String yaml, String jsonText) {
        this.yaml = yaml;
        this.jsonText = jsonText;
        this.json = new JsonObject(jsonText);
    }

    /**
     * The bundled document, read and parsed once per process: it is in the jar and does not change while the server
     * runs, and every router (one per event loop), the tests' route walks and the answer checks ask for it.
     */
    public static ApiContract load() { return Bundled.DOCUMENT; }

    /** Initialised at first use, once (the JVM's class initialisation is the lock). */
    private static final class Bundled {
        static final ApiContract DOCUMENT = read();
    }

    private static ApiContract read() {
        try (InputStream in = ApiContract.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the class path");
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            // the safe constructor: plain maps, lists and scalars, no Java types named by the document
            Map<String, Object> tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
            // through its text: a scalar YAML reads as a date or a number JSON must also be able to write
            return new ApiContract(text, new JsonObject(tree).encode());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String yaml() { return yaml; }

    /** A copy: the document is the server's, callers may change what they get. */
    public JsonObject json() { return json.copy(); }

    /** The JSON form, encoded once. */
    public String jsonText() { return jsonText; }

    /** The document as Vert.x's OpenAPI model (it checks the document against the OpenAPI 3.1 schema). */
    public Future<OpenAPIContract> contract(Vertx vertx) { return OpenAPIContract.from(vertx, json()); }
}
