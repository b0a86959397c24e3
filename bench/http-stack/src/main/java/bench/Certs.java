package bench;

import java.io.InputStream;
import java.nio.file.*;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.*;

/** Self-signed EC P-256 certificate generated with the JDK's keytool at start (if not present), loaded into a JSSE SSLContext. */
public final class Certs {
    public static final char[] PASS = "changeit".toCharArray();
    private Certs() {}

    public static Path keystore(String name, String cn) throws Exception {
        Path dir = Path.of(System.getProperty("bench.certdir", "target/certs"));
        Files.createDirectories(dir);
        Path ks = dir.resolve(name + ".p12");
        if (Files.exists(ks)) return ks;
        Path tmp = dir.resolve(name + "." + ProcessHandle.current().pid() + ".tmp.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "key", "-keyalg", "EC", "-groupname", "secp256r1",
                "-sigalg", "SHA256withECDSA", "-dname", "CN=" + cn, "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "30", "-storetype", "PKCS12", "-keystore", tmp.toString(),
                "-storepass", new String(PASS), "-keypass", new String(PASS)).inheritIO().start();
        if (p.waitFor() != 0) throw new IllegalStateException("keytool failed");
        try {
            Files.move(tmp, ks, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(tmp);
        }
        return ks;
    }

    public static KeyStore load(Path p) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p)) { ks.load(in, PASS); }
        return ks;
    }

    public static KeyManagerFactory kmf(KeyStore ks) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASS);
        return kmf;
    }

    /** JSSE server context restricted to TLS 1.3 (protocol restriction is also applied on the engines). */
    public static SSLContext serverContext() throws Exception {
        return serverContext("server", null);
    }

    public static SSLContext serverContext(String name, KeyStore trust) throws Exception {
        KeyStore ks = load(keystore(name, name.equals("server") ? "localhost" : name));
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        TrustManager[] tms = null;
        if (trust != null) {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            tms = tmf.getTrustManagers();
        }
        ctx.init(kmf(ks).getKeyManagers(), tms, null);
        return ctx;
    }

    public static final List<String> TLS13 = List.of("TLSv1.3");
}
