package bench;

/** Pre-generates the shared server keystore (keytool, EC P-256) so concurrently starting servers don't race. */
public final class GenCert {
    public static void main(String[] args) throws Exception {
        System.out.println("keystore: " + Certs.keystore("server", "localhost").toAbsolutePath());
    }
}
