package dev.bulwark.policy.differential;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * How Cedar answered a batch of requests: how many were allowed, had a determining policy, or had
 * an erroring one; a differential test is only as strong as these shares are high.
 */
record RequestShares(int requests, int allowed, int determined, int errored) {
  static RequestShares of(List<JsonNode> answers) {
    int requests = 0;
    int allowed = 0;
    int determined = 0;
    int errored = 0;
    for (JsonNode answer : answers) {
      for (JsonNode r : answer.path("requests")) {
        requests++;
        allowed += r.path("decision").asString("").equals("allow") ? 1 : 0;
        determined += r.path("reason").isEmpty() ? 0 : 1;
        errored += r.path("errors").isEmpty() ? 0 : 1;
      }
    }
    return new RequestShares(requests, allowed, determined, errored);
  }

  @Override
  public String toString() {
    return String.format(
        "%d requests (%s allow, %s with a determining policy, %s with an erroring policy)",
        requests, percent(allowed), percent(determined), percent(errored));
  }

  private String percent(int n) {
    return requests == 0 ? "0%" : String.format("%.1f%%", 100.0 * n / requests);
  }
}
