package fr.snp.dispatch.api;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Requests checked against the contract (openapi.yaml) before their handler runs: the structure of the body
 * (required fields, types, enums, formats, patterns, bounds) and of the path and query parameters. What the contract
 * cannot say stays in the domain (an RPPS check digit, a commune that exists, a window in the future, a cap set in
 * the configuration). A refusal is the API's usual {code, message, field}, the field as a path into the body
 * ("patient.phone", "slots[1].mode", "[3].mode" for a top-level array). Its code is the one the contract gives the
 * field ({@code x-error-code}), else the one its format implies (date-time: INVALID_DATETIME, duration:
 * INVALID_DURATION…), else MISSING_FIELD, INVALID_ENUM or INVALID_FIELD: a client sees the same answer whichever
 * layer refused.
 */
final class ContractValidation {
    private final OpenAPIContract contract;
    private final JsonObject raw;
    private final io.vertx.json.schema.SchemaRepository schemas;

    ContractValidation(Vertx vertx, OpenAPIContract contract) {
        this.contract = contract;
        this.raw = contract.getRawContract();
        this.schemas = contract.getSchemaRepository();
    }

    /** The check for a route of the router ("/api/v1/slots/:id"): the contract's operation of that method and path. */
    Handler<RoutingContext> forRoute(HttpMethod method, String routerPath) {
        String template = routerPath.replaceAll(":(\\w+)", "{$1}");
        for (Operation op : contract.operations()) {
            if (op.getHttpMethod().equals(method) && op.getOpenAPIPath().equals(template)) return forOperation(op.getOperationId());
        }
        throw new IllegalArgumentException(method + " " + routerPath + " is not in the contract (openapi.yaml)");
    }

    /** The check for one operation of the contract (after the body handler, before the route's handler). */
    Handler<RoutingContext> forOperation(String operationId) {
        Operation op = contract.operation(operationId);
        if (op == null) throw new IllegalArgumentException("no operation " + operationId + " in the contract");
        Compiled compiled = compile(op);
        // an operation with nothing to check (no body, no parameters) costs nothing
        if (compiled.parameters().isEmpty() && compiled.body() == null) return RoutingContext::next;
        return ctx -> {
            ApiError refused = check(op, compiled, ctx);
            if (refused != null) Http.fail(ctx, refused);
            else ctx.next();
        };
    }

    /**
     * An operation's checks, each schema's validator made once. Vert.x's RequestValidator makes a validator for
     * every parameter and body at every request (~100 us each) and runs on a worker thread: the booking route's
     * server CPU went from ~470 to 915 us in the bench. Compiled once, a body is checked in ~13 us on the event loop.
     */
    private record Compiled(List<ParameterCheck> parameters, Validator body, boolean bodyRequired) {}

    private record ParameterCheck(io.vertx.openapi.contract.Parameter parameter, Validator validator, String type) {}

    private Compiled compile(Operation op) {
        List<ParameterCheck> parameters = new ArrayList<>();
        for (io.vertx.openapi.contract.Parameter p : op.getParameters()) {
            Object type = p.getSchema().get("type");
            parameters.add(new ParameterCheck(p, schemas.validator(p.getSchema()), type instanceof String t ? t : "string"));
        }
        Validator body = null;
        boolean required = false;
        if (op.getRequestBody() != null) {
            io.vertx.openapi.contract.MediaType json = op.getRequestBody().getContent().get("application/json");
            if (json != null && json.getSchema() != null) body = schemas.validator(json.getSchema());
            required = op.getRequestBody().isRequired();
        }
        return new Compiled(List.copyOf(parameters), body, required);
    }

    /**
     * The parameters, then the body: the refusal of the first at fault, or null. The parsed body is left in the
     * context for the handler (parsed once).
     */
    private ApiError check(Operation op, Compiled c, RoutingContext ctx) {
        for (ParameterCheck pc : c.parameters()) {
            io.vertx.openapi.contract.Parameter p = pc.parameter();
            String raw = switch (p.getIn()) {
                case PATH -> ctx.pathParam(p.getName());
                case QUERY -> ctx.queryParams().get(p.getName());
                case HEADER -> ctx.request().getHeader(p.getName());
                case COOKIE -> ctx.request().getCookie(p.getName()) == null ? null : ctx.request().getCookie(p.getName()).getValue();
            };
            if (raw == null) {
                if (p.isRequired()) {
                    // a parameter may name its own code for when it is left out (x-missing-code): the Idempotency-Key's
                    // IDEMPOTENCY_KEY_REQUIRED says why a booking needs one
                    String code = p.getOpenAPIModel().getString("x-missing-code", "MISSING_FIELD");
                    return ApiError.badRequest(code, p.getName() + " is required", p.getName());
                }
                continue;
            }
            OutputUnit out = pc.validator().validate(typed(raw, pc.type()));
            if (!valid(out)) return refusal(op, p.getName(), out);
        }
        if (c.body() == null) return null;
        if (Input.noBody(ctx)) {
            return c.bodyRequired() ? ApiError.badRequest("MISSING_BODY", "a JSON body is required", null) : null;
        }
        Object json;
        try {
            json = io.vertx.core.json.Json.decodeValue(ctx.body().buffer());
        } catch (io.vertx.core.json.DecodeException e) {
            return ApiError.badRequest("INVALID_JSON", "the body is not valid JSON", null);
        }
        json = trimmed(json);
        OutputUnit out = c.body().validate(json);
        if (!valid(out)) return refusal(op, null, out);
        ctx.put(Input.PARSED_BODY, json);
        return null;
    }

    /**
     * The body as the API reads it: each string trimmed, and a member whose string is blank left out. Forms and
     * practice software send "" for a field left empty: that is no value (a required one is then MISSING_FIELD, an
     * optional one takes its default), not a value to check against the field's pattern. Changed in place: the
     * body was parsed for this request alone.
     */
    static Object trimmed(Object json) {
        if (json instanceof JsonObject o) {
            for (String name : List.copyOf(o.fieldNames())) {
                Object v = o.getValue(name);
                if (v instanceof String text) {
                    String t = text.strip();
                    if (t.isEmpty()) o.remove(name);
                    else if (t.length() != text.length()) o.put(name, t);
                } else {
                    trimmed(v);
                }
            }
        } else if (json instanceof JsonArray a) {
            for (int i = 0; i < a.size(); i++) {
                Object v = a.getValue(i);
                if (v instanceof String text) a.set(i, text.strip());
                else trimmed(v);
            }
        }
        return json;
    }

    private static boolean valid(OutputUnit out) {
        try {
            out.checkValidity();
            return true;
        } catch (JsonSchemaValidationException invalid) {
            return false;
        }
    }

    /** A parameter's text as its schema's type, when it reads as one (else as it is: the validator says why not). */
    private static Object typed(String raw, String type) {
        try {
            return switch (type) {
                case "integer" -> Long.parseLong(raw);
                case "number" -> Double.parseDouble(raw);
                case "boolean" -> raw.equals("true") ? Boolean.TRUE : raw.equals("false") ? Boolean.FALSE : raw;
                default -> raw;
            };
        } catch (NumberFormatException notANumber) {
            return raw;
        }
    }

    private JsonObject pathItem(Operation op) { return raw.getJsonObject("paths").getJsonObject(op.getOpenAPIPath()); }

    private JsonObject operationModel(Operation op) {
        return pathItem(op).getJsonObject(op.getHttpMethod().name().toLowerCase());
    }

    private static final Pattern REQUIRED = Pattern.compile("required property \"([^\"]+)\"");
    /** The codes a JSON Schema format stands for (the ones the API answered before the contract checked them). */
    private static final Map<String, String> FORMAT_CODES = Map.of("date-time", "INVALID_DATETIME", "duration",
            "INVALID_DURATION", "date", "INVALID_DATE", "time", "INVALID_TIME", "email", "INVALID_EMAIL");

    /** The API's refusal for a value of {@code op}'s request that its schema refused: a parameter's, or the body's (null). */
    private ApiError refusal(Operation op, String parameter, OutputUnit result) {
        OutputUnit fault = mostSpecific(result);
        String keyword = lastSegment(fault.getKeywordLocation());
        List<String> at = segments(fault.getInstanceLocation());
        JsonObject schema = parameter != null ? parameterSchema(op, parameter) : bodySchema(op);
        String field = parameter != null ? join(parameter, path(at)) : path(at);
        if ("required".equals(keyword)) {
            Matcher m = REQUIRED.matcher(String.valueOf(fault.getError()));
            String missing = m.find() ? join(field, m.group(1)) : field;
            return ApiError.badRequest("MISSING_FIELD", missing + " is required", missing);
        }
        if (parameter == null && at.isEmpty() && "type".equals(keyword)) {
            return ApiError.badRequest("INVALID_JSON", "the body must be a JSON " + typeOf(schema), null);
        }
        String why = field + ": " + lowerFirst(String.valueOf(fault.getError()));
        JsonObject node = schemaAt(schema, at);
        String code = attribute(node, "x-error-code");
        if (code == null && "format".equals(keyword)) code = FORMAT_CODES.get(attribute(node, "format"));
        if (code == null && ("enum".equals(keyword) || "const".equals(keyword))) code = "INVALID_ENUM";
        if (code == null) code = "INVALID_FIELD";
        // a field's own code answers with its own status: a malformed signed link is INVALID_LINK (403), as a forged one
        return new ApiError(Codes.status(code), code, why, field.isEmpty() ? null : field);
    }

    /**
     * The error that names the field at fault: the deepest in the instance (in a oneOf, the branch of the body's
     * shape goes furthest into it), and at one depth the last, which is the leaf keyword (type, pattern, enum…)
     * rather than the "properties" or "items" that contain it.
     */
    private static OutputUnit mostSpecific(OutputUnit unit) {
        List<OutputUnit> errors = unit.getErrors();
        if (errors == null || errors.isEmpty()) return unit;
        OutputUnit best = null;
        int depth = -1;
        for (OutputUnit u : errors) {
            int d = segments(u.getInstanceLocation()).size();
            if (d >= depth && !container(lastSegment(u.getKeywordLocation()))) {
                best = u;
                depth = d;
            }
        }
        return best != null ? best : errors.get(errors.size() - 1);
    }

    private static boolean container(String keyword) {
        return switch (keyword) {
            case "properties", "items", "prefixItems", "additionalItems", "$ref", "allOf", "anyOf", "oneOf" -> true;
            default -> false;
        };
    }

    // --- the contract's schemas, walked along an instance path --------------------------------------------------

    private JsonObject bodySchema(Operation op) {
        JsonObject body = operationModel(op).getJsonObject("requestBody");
        if (body == null) return null;
        JsonObject json = body.getJsonObject("content", new JsonObject()).getJsonObject("application/json");
        return json == null ? null : json.getJsonObject("schema");
    }

    private JsonObject parameterSchema(Operation op, String name) {
        List<Object> all = new ArrayList<>(operationModel(op).getJsonArray("parameters", new JsonArray()).getList());
        all.addAll(pathItem(op).getJsonArray("parameters", new JsonArray()).getList());
        for (Object p : all) {
            JsonObject parameter = resolve(p instanceof Map<?, ?> m ? new JsonObject(castMap(m)) : (JsonObject) p);
            if (name.equals(parameter.getString("name"))) {
                JsonObject schema = parameter.getJsonObject("schema", new JsonObject());
                // x-error-code may sit on the parameter itself
                return parameter.containsKey("x-error-code") ? schema.copy().put("x-error-code", parameter.getString("x-error-code")) : schema;
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) { return (Map<String, Object>) m; }

    /** A local reference ("#/components/schemas/X") followed; anything else as it is. */
    private JsonObject resolve(JsonObject node) {
        for (int i = 0; node != null && node.containsKey("$ref") && i < 16; i++) {
            String ref = node.getString("$ref");
            if (!ref.startsWith("#/")) return node;
            Object target = raw;
            for (String part : ref.substring(2).split("/")) {
                target = target instanceof JsonObject o ? o.getValue(part.replace("~1", "/").replace("~0", "~")) : null;
            }
            node = target instanceof JsonObject o ? o : null;
        }
        return node;
    }

    /** The schema that applies at {@code path} inside {@code schema} (properties, items, and the branches of *Of). */
    private JsonObject schemaAt(JsonObject schema, List<String> path) {
        JsonObject node = resolve(schema);
        if (node == null || path.isEmpty()) return node;
        String head = path.get(0);
        List<String> rest = path.subList(1, path.size());
        if (head.chars().allMatch(Character::isDigit) && node.getValue("items") instanceof JsonObject items) {
            JsonObject found = schemaAt(items, rest);
            if (found != null) return found;
        }
        JsonObject properties = node.getJsonObject("properties");
        if (properties != null && properties.getValue(head) instanceof JsonObject property) {
            JsonObject found = schemaAt(property, rest);
            if (found != null) return found;
        }
        for (String combinator : List.of("allOf", "oneOf", "anyOf")) {
            for (Object branch : node.getJsonArray(combinator, new JsonArray())) {
                if (!(branch instanceof JsonObject b)) continue;
                JsonObject found = schemaAt(b, path);
                if (found != null) return found;
            }
        }
        return null;
    }

    /** An attribute of a schema node, or of what it refers to or combines (allOf), the node's own first. */
    private String attribute(JsonObject node, String key) {
        if (node == null) return null;
        if (node.getValue(key) instanceof String s) return s;
        JsonObject resolved = resolve(node);
        if (resolved != node && resolved != null && resolved.getValue(key) instanceof String s) return s;
        for (Object branch : node.getJsonArray("allOf", new JsonArray())) {
            if (branch instanceof JsonObject b) {
                String found = attribute(b, key);
                if (found != null) return found;
            }
        }
        return null;
    }

    private String typeOf(JsonObject schema) {
        JsonObject node = resolve(schema);
        if (node == null) return "object";
        if (node.getValue("type") instanceof String t) return t;
        return node.containsKey("oneOf") ? "object or array" : "object";
    }

    // --- paths ----------------------------------------------------------------------------------------------------

    private static String lastSegment(String keywordLocation) {
        if (keywordLocation == null) return "";
        return keywordLocation.substring(keywordLocation.lastIndexOf('/') + 1);
    }

    /** "#/slots/1/mode" → [slots, 1, mode]. */
    private static List<String> segments(String instanceLocation) {
        List<String> out = new ArrayList<>();
        if (instanceLocation == null) return out;
        for (String segment : instanceLocation.replaceFirst("^#/?", "").split("/")) {
            if (!segment.isEmpty()) out.add(segment.replace("~1", "/").replace("~0", "~"));
        }
        return out;
    }

    /** [slots, 1, mode] → "slots[1].mode"; [3, mode] → "[3].mode"; [] → "". */
    static String path(List<String> segments) {
        StringBuilder out = new StringBuilder();
        for (String segment : segments) {
            if (segment.chars().allMatch(Character::isDigit)) out.append('[').append(segment).append(']');
            else out.append(out.length() == 0 ? "" : ".").append(segment);
        }
        return out.toString();
    }

    private static String join(String parent, String child) {
        if (parent == null || parent.isEmpty()) return child;
        if (child == null || child.isEmpty()) return parent;
        return child.startsWith("[") ? parent + child : parent + "." + child;
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
