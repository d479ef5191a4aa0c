package fr.snp.dispatch.api;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Requests checked against the contract (openapi.yaml) before their handler runs: the structure of the body
 * (required fields, types, enums, patterns, bounds) and of the path and query parameters. What the contract cannot
 * say stays in the domain (an RPPS check digit, a commune that exists, a window in the future, a cap). A refusal is
 * the API's usual {code, message, field}, the field as a path into the body ("patient.phone", "slots[1].mode",
 * "[3].mode" for a top-level array), so that a client sees the same answer whichever layer refused.
 */
final class ContractValidation {
    private final OpenAPIContract contract;
    private final RequestValidator validator;
    private final RequestExtractor extractor = RequestExtractor.withBodyHandler();

    ContractValidation(Vertx vertx, OpenAPIContract contract) {
        this.contract = contract;
        this.validator = RequestValidator.create(vertx, contract);
    }

    /** The check for one operation of the contract (after the body handler, before the route's handler). */
    Handler<RoutingContext> forOperation(String operationId) {
        Operation op = contract.operation(operationId);
        if (op == null) throw new IllegalArgumentException("no operation " + operationId + " in the contract");
        return ctx -> {
            Future<?> checked = extractor.extractValidatableRequest(ctx, op).compose(r -> validator.validate(r, operationId));
            checked.onComplete(ar -> {
                if (ar.succeeded()) ctx.next();
                else Http.fail(ctx, refusal(ar.cause()));
            });
        };
    }

    private static final Pattern PARAMETER = Pattern.compile("(?:path|query|header|cookie) parameter (\\S+)");
    private static final Pattern REQUIRED = Pattern.compile("required property \"([^\"]+)\"");

    /** The API's refusal for what the validator found. */
    static ApiError refusal(Throwable error) {
        if (!(error instanceof ValidatorException e)) {
            return new ApiError(500, "INTERNAL_ERROR", "the request could not be checked", null);
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        Matcher parameter = PARAMETER.matcher(message);
        String name = parameter.find() ? parameter.group(1) : null;
        if (e.type() == ValidatorErrorType.MISSING_REQUIRED_PARAMETER) {
            if (name == null) return ApiError.badRequest("MISSING_BODY", "the request has no body", null);
            return ApiError.badRequest("MISSING_FIELD", name + " is required", name);
        }
        if (e.type() == ValidatorErrorType.ILLEGAL_VALUE && name == null) {
            return ApiError.badRequest("INVALID_JSON", "the body is not valid JSON", null);
        }
        if (e instanceof SchemaValidationException s && s.getOutputUnit() != null) {
            OutputUnit deepest = deepest(s.getOutputUnit());
            String keyword = lastSegment(deepest.getKeywordLocation());
            String at = path(deepest.getInstanceLocation());
            String field = name != null ? join(name, at) : at;
            if ("required".equals(keyword)) {
                Matcher m = REQUIRED.matcher(String.valueOf(deepest.getError()));
                String missing = m.find() ? join(field, m.group(1)) : field;
                return ApiError.badRequest("MISSING_FIELD", missing + " is required", missing);
            }
            String why = lowerFirst(String.valueOf(deepest.getError()));
            if ("enum".equals(keyword) || "const".equals(keyword)) {
                return ApiError.badRequest("INVALID_ENUM", field + ": " + why, field);
            }
            return ApiError.badRequest("INVALID_FIELD", field + ": " + why, field.isEmpty() ? null : field);
        }
        return ApiError.badRequest("INVALID_FIELD", lowerFirst(message), name);
    }

    /** The last (deepest) error of a validation's output: the one that names the field at fault. */
    private static OutputUnit deepest(OutputUnit unit) {
        List<OutputUnit> errors = unit.getErrors();
        return errors == null || errors.isEmpty() ? unit : errors.get(errors.size() - 1);
    }

    private static String lastSegment(String keywordLocation) {
        if (keywordLocation == null) return "";
        return keywordLocation.substring(keywordLocation.lastIndexOf('/') + 1);
    }

    /** "#/slots/1/mode" → "slots[1].mode"; "#/3/mode" → "[3].mode"; "#" → "". */
    static String path(String instanceLocation) {
        if (instanceLocation == null) return "";
        StringBuilder out = new StringBuilder();
        for (String segment : instanceLocation.replaceFirst("^#/?", "").split("/")) {
            if (segment.isEmpty()) continue;
            String unescaped = segment.replace("~1", "/").replace("~0", "~");
            if (unescaped.chars().allMatch(Character::isDigit)) out.append('[').append(unescaped).append(']');
            else out.append(out.length() == 0 ? "" : ".").append(unescaped);
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
