/**
 * What the plans domain tells the rest of the service after a change has committed. The search layer
 * implements it (src/server/services.ts wires it); `plans` never imports `search`.
 */
export type PlanEvents = {
  /**
   * What responders can find changed: a version was published, a published plan withdrawn, or plans
   * imported. The outbox rows written in the same transaction say which plans; this only says "now".
   */
  onIndexChange?: () => void;
};
