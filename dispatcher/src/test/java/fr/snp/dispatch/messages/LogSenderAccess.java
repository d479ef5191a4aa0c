package fr.snp.dispatch.messages;

/** Lets other packages' tests check the log channel's redaction. */
public final class LogSenderAccess {
    private LogSenderAccess() {}

    public static String redacted(String text) { return LogSender.redacted(text); }
}
