package fr.snp.dispatch.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.NpmPackageValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The SAS Implementation Guide's validator, offline: HAPI FHIR 8.8.0 with the IG package (ans.fhir.fr.sas 1.2.0) and
 * its extensions package loaded from the test classpath (copied from ../shared/fhir), R4 core from
 * hapi-fhir-validation-resources-r4. No remote terminology server and no resource fetcher: nothing leaves the
 * machine. What the national platform (and the ANS test kit) checks a resource against, each resource against the
 * profile in its own meta.profile.
 * <p>
 * FR Core 1.1.0, which the SAS profiles derive from, is published nowhere reachable (see ../shared/fhir/README.md):
 * its datatype profiles and extensions cannot be resolved, and the validator reports that, predictably, by message.
 * {@link #errors} leaves out exactly those messages ({@link #FR_CORE_GAPS}); every other error counts. The ANS NOS code
 * systems (TRE_R314, TRE_R66) are unknown too: their codes are still checked against the SAS value sets, which list
 * them, and "unknown code system" is a warning.
 */
public final class SasValidator {
    /** The messages that come from FR Core 1.1.0 being unavailable, and only from that. */
    public static final List<Pattern> FR_CORE_GAPS = List.of(
            Pattern.compile("http://interopsante\\.org/fhir/StructureDefinition/Fr[A-Za-z]+"),
            Pattern.compile("http://interopsante\\.org/fhir/CodeSystem/"),
            Pattern.compile("(?i)unable to resolve (the )?profile"),
            Pattern.compile("(?i)slicing cannot be evaluated"));

    private static FhirValidator validator;
    private static FhirContext context;

    private SasValidator() {}

    public static synchronized FhirContext context() {
        if (context == null) context = FhirContext.forR4();
        return context;
    }

    private static synchronized FhirValidator validator() throws Exception {
        if (validator != null) return validator;
        FhirContext ctx = context();
        NpmPackageValidationSupport npm = new NpmPackageValidationSupport(ctx);
        npm.loadPackageFromClasspath("classpath:fhir-packages/ans.fhir.fr.sas-1.2.0.tgz");
        npm.loadPackageFromClasspath("classpath:fhir-packages/hl7.fhir.uv.extensions.r4-5.3.0-ballot-tc1.tgz");
        UnknownCodeSystemWarningValidationSupport unknownCodeSystems = new UnknownCodeSystemWarningValidationSupport(ctx);
        unknownCodeSystems.setNonExistentCodeSystemSeverity(ca.uhn.fhir.context.support.IValidationSupport.IssueSeverity.WARNING);
        ValidationSupportChain chain = new ValidationSupportChain(npm, new DefaultProfileValidationSupport(ctx),
                new CommonCodeSystemsTerminologyService(ctx), new InMemoryTerminologyServerValidationSupport(ctx),
                new SnapshotGeneratingValidationSupport(ctx), unknownCodeSystems);
        FhirValidator v = ctx.newValidator();
        v.registerValidatorModule(new FhirInstanceValidator(chain));
        validator = v;
        return v;
    }

    /** One message of the validator: its severity, where, and what. */
    public record Issue(ResultSeverityEnum severity, String location, String message) {
        public boolean frCoreGap() { return FR_CORE_GAPS.stream().anyMatch(p -> p.matcher(message).find()); }

        @Override
        public String toString() { return severity + " " + location + ": " + message; }
    }

    /** Every message the validator gives a resource (JSON), against the profiles in its meta.profile. */
    public static List<Issue> validate(String json) throws Exception {
        return validator().validateWithResult(json).getMessages().stream()
                .map((SingleValidationMessage m) -> new Issue(m.getSeverity(), m.getLocationString(), m.getMessage()))
                .toList();
    }

    /** The errors (and fatals) that are not FR Core 1.1.0 gaps: what must be empty. */
    public static List<Issue> errors(String json) throws Exception {
        return validate(json).stream().filter(i -> i.severity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
                .filter(i -> !i.frCoreGap()).toList();
    }

    /** Every error and fatal, FR Core gaps included (to show which remain, and that the filter hides nothing else). */
    public static List<Issue> allErrors(String json) throws Exception {
        return validate(json).stream().filter(i -> i.severity().ordinal() >= ResultSeverityEnum.ERROR.ordinal()).toList();
    }
}
