package fr.snp.dispatch.messages;

import io.vertx.core.Vertx;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;

import java.util.concurrent.TimeUnit;

/** E-mail over SMTP (Vert.x mail client): plain text, UTF-8, from the configured sender; the delivery id as Message-ID. */
public final class SmtpSender implements PatientSender {
    private final MailClient client;
    private final String from;
    private final long timeoutMs;

    public SmtpSender(Vertx vertx, String host, int port, String username, String password, String startTls, String from,
                      long timeoutMs) {
        MailConfig config = new MailConfig().setHostname(host).setPort(port)
                .setStarttls(StartTLSOptions.valueOf(startTls)).setConnectTimeout((int) timeoutMs)
                .setUsername(username == null || username.isEmpty() ? null : username)
                .setPassword(password == null || password.isEmpty() ? null : password);
        this.client = MailClient.create(vertx, config);
        this.from = from;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public void send(PatientMessage m, String deliveryId) throws Exception {
        MailMessage mail = new MailMessage().setFrom(from).setTo(m.to()).setSubject(m.subject()).setText(m.text())
                .addHeader("X-SNP-Delivery", deliveryId);
        client.sendMail(mail).toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public String provider() { return "smtp"; }
}
