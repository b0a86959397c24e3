package dev.bulwark.examples.payments;

import dev.bulwark.examples.Caller;
import dev.bulwark.examples.ReferencePolicies;
import dev.bulwark.examples.ReferenceService;
import dev.bulwark.examples.ResourceServer;
import dev.bulwark.examples.ServiceSettings;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.sdk.policy.ServiceAuthorizer;
import dev.bulwark.sdk.token.AccessToken;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The reference payments service: create, list and read your payments, and refund one.
 *
 * <p>Scopes: {@code payments:read} to read, {@code payments:write} to create, {@code
 * payments:refund} to refund. Beyond what the client may do (scopes), the access policies ({@code
 * policies/payments/payments.cedar}) decide what the user may do to each payment: read one's own,
 * or any in role {@code finance}; refund in role {@code finance}, after multi-factor
 * authentication, up to the refund limit. Listing and creating touch only the caller's own
 * payments, by the query itself.
 */
public final class PaymentsService {
  /** The audience (RFC 8707 resource indicator) of payments tokens. */
  public static final String AUDIENCE = "urn:bulwark:payments";

  private static final String REFUND = "payments:refund";
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
  private static final Pattern AMOUNT = Pattern.compile("\\d{1,10}(\\.\\d{1,2})?");
  private static final BigDecimal MAX_AMOUNT = new BigDecimal("1000000.00");

  /** The refund limit when none is configured: 1,000.00 in the payment's currency, in cents. */
  public static final long DEFAULT_REFUND_LIMIT_CENTS = 100_000;

  private final PaymentStore store;
  private final ResourceServer resourceServer;
  private final PaymentAccess access;

  private PaymentsService(PaymentStore store, ResourceServer resourceServer, PaymentAccess access) {
    this.store = store;
    this.resourceServer = resourceServer;
    this.access = access;
  }

  /** Starts the service on its shipped policies and the default refund limit. */
  public static ReferenceService start(
      ServiceSettings settings, HttpListener.Builder listener, Clock clock) {
    return start(
        settings,
        listener,
        clock,
        ReferencePolicies.authorizer("payments"),
        DEFAULT_REFUND_LIMIT_CENTS);
  }

  /**
   * Starts the service deciding with {@code authorizer} (which the caller closes), refunding up to
   * {@code refundLimitCents}.
   */
  public static ReferenceService start(
      ServiceSettings settings,
      HttpListener.Builder listener,
      Clock clock,
      ServiceAuthorizer authorizer,
      long refundLimitCents) {
    PaymentAccess access = new PaymentAccess(authorizer, refundLimitCents);
    return ReferenceService.start(
        "payments",
        settings,
        listener,
        (HttpRouting.Builder routing, ResourceServer resourceServer, Database database) ->
            new PaymentsService(new PaymentStore(database, clock), resourceServer, access)
                .register(routing));
  }

  private void register(HttpRouting.Builder routing) {
    routing
        .get("/payments", this::list)
        .post("/payments", this::create)
        .get("/payments/{id}", this::read)
        .post("/payments/{id}/refund", this::refund);
  }

  private void list(ServerRequest req, ServerResponse res) {
    Optional<AccessToken> token = resourceServer.requireScope(req, res, "payments:read");
    if (token.isEmpty()) {
      return;
    }
    ObjectNode body = Json.object();
    ArrayNode items = body.putArray("payments");
    store.listByOwner(token.get().subject(), 100).forEach(p -> items.add(p.toJson()));
    HttpResponses.json(res, Status.OK_200, body);
  }

  private void create(ServerRequest req, ServerResponse res) {
    Optional<AccessToken> token = resourceServer.requireScope(req, res, "payments:write");
    if (token.isEmpty()) {
      return;
    }
    Optional<JsonNode> body = ResourceServer.jsonBody(req, res);
    if (body.isEmpty()) {
      return;
    }
    String amount = body.get().path("amount").asString("");
    if (!AMOUNT.matcher(amount).matches()
        || new BigDecimal(amount).signum() <= 0
        || new BigDecimal(amount).compareTo(MAX_AMOUNT) > 0) {
      ResourceServer.invalidField(
          res, "amount", "expected a decimal string from 0.01 to 1000000.00, e.g. \"12.50\"");
      return;
    }
    String currency = body.get().path("currency").asString("");
    if (!CURRENCY.matcher(currency).matches()) {
      ResourceServer.invalidField(res, "currency", "expected an ISO 4217 code such as EUR");
      return;
    }
    String description = body.get().path("description").asString("");
    if (description.length() > 140 || description.chars().anyMatch(Character::isISOControl)) {
      ResourceServer.invalidField(res, "description", "expected at most 140 printable characters");
      return;
    }
    Payment payment =
        store.create(token.get().subject(), new BigDecimal(amount), currency, description);
    res.header(HeaderNames.LOCATION, "/payments/" + payment.id());
    HttpResponses.json(res, Status.CREATED_201, payment.toJson());
  }

  private void read(ServerRequest req, ServerResponse res) {
    Optional<AccessToken> token = resourceServer.requireScope(req, res, "payments:read");
    if (token.isEmpty()) {
      return;
    }
    // A payment the policies do not let the caller read is reported as absent, so ids cannot be
    // probed.
    Caller caller = Caller.of(token.get());
    Optional<Payment> payment =
        store
            .find(req.path().pathParameters().get("id"))
            .filter(p -> access.mayRead(caller, p).allowed());
    if (payment.isEmpty()) {
      ResourceServer.notFound(res, "payment");
      return;
    }
    HttpResponses.json(res, Status.OK_200, payment.get().toJson());
  }

  private void refund(ServerRequest req, ServerResponse res) {
    Optional<AccessToken> token = resourceServer.requireScope(req, res, REFUND);
    if (token.isEmpty()) {
      return;
    }
    String id = req.path().pathParameters().get("id");
    Optional<Payment> payment = store.find(id);
    if (payment.isEmpty()) {
      ResourceServer.notFound(res, "payment");
      return;
    }
    if (!ResourceServer.permitted(res, access.mayRefund(Caller.of(token.get()), payment.get()))) {
      return;
    }
    switch (store.refund(id)) {
      case PaymentStore.RefundOutcome.Refunded refunded ->
          HttpResponses.json(res, Status.OK_200, refunded.payment().toJson());
      case PaymentStore.RefundOutcome.AlreadyRefunded already ->
          HttpResponses.error(
              res,
              Status.CONFLICT_409,
              "conflict",
              "payment " + already.id() + " is already refunded");
      case PaymentStore.RefundOutcome.NotFound missing -> ResourceServer.notFound(res, "payment");
    }
  }
}
