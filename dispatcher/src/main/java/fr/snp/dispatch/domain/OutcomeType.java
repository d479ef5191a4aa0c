package fr.snp.dispatch.domain;

/** How a request ended when it did not end in an SNP appointment (Indre 116-117 categories). */
public enum OutcomeType {
    ADVICE, PRESCRIPTION, REDIRECTED_15, NO_ANSWER, OTHER
}
