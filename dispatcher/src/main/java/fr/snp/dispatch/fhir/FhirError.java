package fr.snp.dispatch.fhir;

/** A FHIR call refused: the HTTP status and the OperationOutcome's issue code, parameter and message. */
final class FhirError extends RuntimeException {
    final int status;
    final String code;
    final String field;

    FhirError(int status, String code, String field, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    static FhirError invalid(String field, String message) { return new FhirError(400, "invalid", field, message); }

    static FhirError required(String field, String message) { return new FhirError(400, "required", field, message); }

    static FhirError notSupported(String field, String message) { return new FhirError(400, "not-supported", field, message); }

    static FhirError notFound(String message) { return new FhirError(404, "not-found", null, message); }
}
