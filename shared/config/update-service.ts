import { dnsSubdomainProblem, KUBERNETES_NAMES, refuseViolations, type Violation } from './rules';
import { toYaml, type Generated } from './yaml';

/**
 * The disconnected cluster's OpenShift Update Service, fed from the mirror: the `UpdateService` CR and the
 * ClusterVersion `spec.upstream` patch that points the cluster-version operator at it.
 *
 * The CR is named and shaped as oc-mirror v2's cluster-resources generator writes it (openshift/oc-mirror
 * internal/pkg/clusterresources/clusterresources.go UpdateServiceGenerator, const.go): `update-service-oc-mirror`
 * in `openshift-update-service`, `replicas: 2`, `releases` the mirror repository of the release images, and
 * `graphDataImage` the graph-data image in the mirror, here by digest (oc-mirror names its tag; a digest cannot be
 * moved under the service by a later push). As for the catalog objects, no createdAt/version annotations: the same
 * transfer gives the same bytes. The schema is openshift/cincinnati-operator's UpdateService CRD.
 *
 * The patch is the one of the OpenShift docs ("Configuring the Cluster Version Operator (CVO)" for a disconnected
 * update service): `{"spec":{"upstream":"<policy engine URI>/api/upgrades_info/v1/graph"}}` with `oc patch
 * clusterversion/version --type merge`. The operator exposes the policy engine through the route `NAME-route`
 * (cincinnati-operator controllers/names.go) with no host set, so the router names it
 * `NAME-route-NAMESPACE.<ingress domain>`: given that domain the URI is written out; without it, the docs' lookup of
 * `.status.policyEngineURI` is.
 */
export const UPDATE_SERVICE_NAME = 'update-service-oc-mirror';
export const UPDATE_SERVICE_NAMESPACE = 'openshift-update-service';
const GRAPH_PATH = '/api/upgrades_info/v1/graph';
const OPERATOR_ROUTE_NAMES = 'cincinnati-operator route names';
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** What the mirror holds for the update service. */
export interface MirroredGraph {
  /** The graph-data image in the mirror, by digest. */
  graphDataImage: string;
  /** The mirror repository the release images are in (`HOST:PORT/NS/ocp-release`). */
  releases: string;
}

export interface UpdateService {
  apiVersion: 'updateservice.operator.openshift.io/v1';
  kind: 'UpdateService';
  metadata: { name: string; namespace: string };
  spec: { replicas: number; releases: string; graphDataImage: string };
}

export interface UpstreamPatch {
  spec: { upstream: string };
}

/**
 * Kubernetes' rule for the name, then the operator's own (updateservice_controller.go validateRouteName): the
 * route's host label `NAME-route-NAMESPACE` must be an RFC 1123 label of at most 63 characters.
 */
function nameViolations(name: string): Violation[] {
  const problem = dnsSubdomainProblem(name);
  if (problem) return [{ path: 'metadata.name', problem, rule: KUBERNETES_NAMES }];
  const label = `${name}-route-${UPDATE_SERVICE_NAMESPACE}`;
  if (label.length > 63 || !DNS1123_LABEL.test(label)) {
    return [{ path: 'metadata.name', problem: `the policy engine route "${label}" must be an RFC 1123 label of at most 63 characters (it has ${label.length}); shorten the name`, rule: OPERATOR_ROUTE_NAMES }];
  }
  return [];
}

export function updateService(graph: MirroredGraph, name = UPDATE_SERVICE_NAME): Generated<UpdateService> {
  refuseViolations(nameViolations(name), 'The UpdateService');
  const object: UpdateService = {
    apiVersion: 'updateservice.operator.openshift.io/v1',
    kind: 'UpdateService',
    metadata: { name, namespace: UPDATE_SERVICE_NAMESPACE },
    spec: { replicas: 2, releases: graph.releases, graphDataImage: graph.graphDataImage },
  };
  return { text: toYaml(object), object };
}

/** The merge patch for `clusterversion/version` and the commands that apply it (see the module comment). */
export function clusterVersionUpstream(name = UPDATE_SERVICE_NAME, appsDomain?: string): Generated<UpstreamPatch> {
  const violations = nameViolations(name);
  const domainProblem = appsDomain !== undefined ? dnsSubdomainProblem(appsDomain) : undefined;
  if (domainProblem) violations.push({ path: 'appsDomain', problem: domainProblem, rule: 'OpenShift ingress domains' });
  refuseViolations(violations, 'The ClusterVersion upstream patch');
  const intro = `# Point the cluster-version operator at the OpenShift Update Service ${name} (namespace ${UPDATE_SERVICE_NAMESPACE}) once it runs.\n`;
  if (appsDomain !== undefined) {
    const object: UpstreamPatch = { spec: { upstream: `https://${name}-route-${UPDATE_SERVICE_NAMESPACE}.${appsDomain}${GRAPH_PATH}` } };
    return { text: `${intro}oc patch clusterversion/version --type merge --patch '${JSON.stringify(object)}'\n`, object };
  }
  // The docs' steps: the operator publishes the policy engine's URI in the UpdateService's status.
  const object: UpstreamPatch = { spec: { upstream: '${POLICY_ENGINE_GRAPH_URI}' } };
  const text = [
    intro.trimEnd(),
    `# The route's host depends on the cluster's ingress domain: read it from the UpdateService's status (or pass --apps-domain).`,
    `POLICY_ENGINE_GRAPH_URI="$(oc -n ${UPDATE_SERVICE_NAMESPACE} get -o jsonpath='{.status.policyEngineURI}${GRAPH_PATH}{"\\n"}' updateservice ${name})"`,
    `PATCH="{\\"spec\\":{\\"upstream\\":\\"\${POLICY_ENGINE_GRAPH_URI}\\"}}"`,
    `oc patch clusterversion/version --type merge --patch "\${PATCH}"`,
    '',
  ].join('\n');
  return { text, object };
}
