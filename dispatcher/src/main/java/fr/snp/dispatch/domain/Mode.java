package fr.snp.dispatch.domain;

/** Consultation type (SAS serviceType): at the practice, home visit, teleconsultation. */
public enum Mode {
    AMB, HH, VR
}
