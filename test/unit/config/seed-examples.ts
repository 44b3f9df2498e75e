/**
 * Examples transcribed from the seed documents (/work/shared/seeds, OpenShift docs), re-indented where
 * the source flattened them onto one line. Tests parse these and compare field by field with what the
 * generators produce from the same inputs.
 */

/** Seed 001 §3.12.3: the lines echoed into install-config.yaml. */
export const SEED001_IMAGE_CONTENT_SOURCES = `imageContentSources:
- mirrors:
  - registry.example.com:5000/ocp4/openshift4
  source: quay.io/openshift-release-dev/ocp-release
- mirrors:
  - registry.example.com:5000/ocp4/openshift4
  source: quay.io/openshift-release-dev/ocp-v4.0-art-dev
`;

/** Seed 003 step 3: the ICSP named mirror-ocp. */
export const SEED003_ICSP = `apiVersion: operator.openshift.io/v1alpha1
kind: ImageContentSourcePolicy
metadata:
  name: mirror-ocp
spec:
  repositoryDigestMirrors:
  - mirrors:
    - mirror.registry.com:443/ocp/release
    source: quay.io/openshift-release-dev/ocp-release
  - mirrors:
    - mirror.registry.com:443/ocp/release
    source: quay.io/openshift-release-dev/ocp-v4.0-art-dev
`;

/** Seed 003 step 4.6: the node's registries.conf after that ICSP. */
export const SEED003_REGISTRIES_CONF = `unqualified-search-registries = ["registry.access.redhat.com", "docker.io"]

[[registry]]
  prefix = ""
  location = "quay.io/openshift-release-dev/ocp-release"
  mirror-by-digest-only = true

  [[registry.mirror]]
    location = "mirror.registry.com:443/ocp/release"

[[registry]]
  prefix = ""
  location = "quay.io/openshift-release-dev/ocp-v4.0-art-dev"
  mirror-by-digest-only = true

  [[registry.mirror]]
    location = "mirror.registry.com:443/ocp/release"
`;

/** Seed 002 §9.2.6: the ICSP named ubi8repo. */
export const SEED002_ICSP = `apiVersion: operator.openshift.io/v1alpha1
kind: ImageContentSourcePolicy
metadata:
  name: ubi8repo
spec:
  repositoryDigestMirrors:
  - mirrors:
    - example.io/example/ubi-minimal
    - example.com/example/ubi-minimal
    source: registry.access.redhat.com/ubi8/ubi-minimal
  - mirrors:
    - mirror.example.com/redhat
    source: registry.redhat.io/openshift4
  - mirrors:
    - mirror.example.com
    source: registry.redhat.io
  - mirrors:
    - mirror.example.net/image
    source: registry.example.com/example/myimage
  - mirrors:
    - mirror.example.net
    source: registry.example.com/example
  - mirrors:
    - mirror.example.net/registry-example-com
    source: registry.example.com
`;

/** Seed 002 §9.2.6: the node's registries.conf after ubi8repo. */
export const SEED002_REGISTRIES_CONF = `unqualified-search-registries = ["registry.access.redhat.com", "docker.io"]
short-name-mode = ""

[[registry]]
  prefix = ""
  location = "registry.access.redhat.com/ubi8/ubi-minimal"
  mirror-by-digest-only = true

  [[registry.mirror]]
    location = "example.io/example/ubi-minimal"

  [[registry.mirror]]
    location = "example.com/example/ubi-minimal"

[[registry]]
  prefix = ""
  location = "registry.example.com"
  mirror-by-digest-only = true

  [[registry.mirror]]
    location = "mirror.example.net/registry-example-com"

[[registry]]
  prefix = ""
  location = "registry.example.com/example"
  mirror-by-digest-only = true

  [[registry.mirror]]
    location = "mirror.example.net"

[[registry]]
  prefix = ""
  location = "registry.example.com/example/myimage"
  mirror-by-digest-only = true

  [[registry.mirror]]
    location = "mirror.example.net/image"

[[registry]]
  prefix = ""
  location = "registry.redhat.io"
  mirror-by-digest-only = true

  [[registry.mirror]]
    location = "mirror.example.com"

[[registry]]
  prefix = ""
  location = "registry.redhat.io/openshift4"
  mirror-by-digest-only = true

  [[registry.mirror]]
    location = "mirror.example.com/redhat"
`;

/** Seed 002 §9.2.2.1: ICSP my-icsp mirroring the payload registry, then blockedRegistries for it. */
export const SEED002_PAYLOAD_ICSP = `apiVersion: operator.openshift.io/v1alpha1
kind: ImageContentSourcePolicy
metadata:
  name: my-icsp
spec:
  repositoryDigestMirrors:
  - mirrors:
    - internal-mirror.io/openshift-payload
    source: quay.io/openshift-payload
`;

export const SEED002_PAYLOAD_MIRRORED_CONF = `[[registry]]
  prefix = ""
  location = "quay.io/openshift-payload"
  mirror-by-digest-only = true

  [[registry.mirror]]
    location = "internal-mirror.io/openshift-payload"
`;

export const SEED002_PAYLOAD_BLOCKED_CONF = `[[registry]]
  prefix = ""
  location = "quay.io/openshift-payload"
  blocked = true
  mirror-by-digest-only = true

  [[registry.mirror]]
    location = "internal-mirror.io/openshift-payload"
`;

/** Seed 002 §9.2.2 and §9.2.3: the node's registries.conf for a blocked and for an insecure registry. */
export const SEED002_BLOCKED_CONF = `unqualified-search-registries = ["registry.access.redhat.com", "docker.io"]
[[registry]]
  prefix = ""
  location = "untrusted.com"
  blocked = true
`;

export const SEED002_INSECURE_CONF = `unqualified-search-registries = ["registry.access.redhat.com", "docker.io"]
[[registry]]
  prefix = ""
  location = "insecure.com"
  insecure = true
`;

/** Seed 002 §9.2.4: the drop-in written for containerRuntimeSearchRegistries. */
export const SEED002_SEARCH_CONF = `unqualified-search-registries = ['reg1.io', 'reg2.io', 'reg3.io']
`;

/** Seed 002 §9.2 (first example), status and server-side metadata dropped. */
export const SEED002_IMAGE_CONFIG = `apiVersion: config.openshift.io/v1
kind: Image
metadata:
  name: cluster
spec:
  allowedRegistriesForImport:
  - domainName: quay.io
    insecure: false
  additionalTrustedCA:
    name: myconfigmap
  registrySources:
    allowedRegistries:
    - example.com
    - quay.io
    - registry.redhat.io
    - image-registry.openshift-image-registry.svc:5000
    - reg1.io/myrepo/myapp:latest
    insecureRegistries:
    - insecure.com
`;

/** Seed 002 §9.2.2: the block-list example, verbatim with its server-side metadata. */
export const SEED002_BLOCKED_IMAGE_CONFIG = `apiVersion: config.openshift.io/v1
kind: Image
metadata:
  annotations:
    release.openshift.io/create-only: "true"
  creationTimestamp: "2019-05-17T13:44:26Z"
  generation: 1
  name: cluster
  resourceVersion: "8302"
  selfLink: /apis/config.openshift.io/v1/images/cluster
  uid: e34555da-78a9-11e9-b92b-06d6c7da38dc
spec:
  registrySources:
    blockedRegistries:
    - untrusted.com
    - reg1.io/myrepo/myapp:latest
status:
  internalRegistryHostname: image-registry.openshift-image-registry.svc:5000
`;

/** Seed 002 §9.2.2.1: the payload-blocking patch as printed, with its misspelt registrySource. */
export const SEED002_MISSPELT_PATCH = `apiVersion: config.openshift.io/v1
kind: Image
metadata:
  name: cluster
spec:
  registrySource:
    blockedRegistries:
    - quay.io/openshift-payload
`;

/** Seed 002 example 9.1: policy.json after the allowed list (with insecure.com and reg4.io added). */
export const SEED002_POLICY_JSON = `{ "default":[ { "type":"reject" } ], "transports":{ "atomic":{ "example.com":[ { "type":"insecureAcceptAnything" } ], "image-registry.openshift-image-registry.svc:5000":[ { "type":"insecureAcceptAnything" } ], "insecure.com":[ { "type":"insecureAcceptAnything" } ], "quay.io":[ { "type":"insecureAcceptAnything" } ], "reg4.io/myrepo/myapp:latest":[ { "type":"insecureAcceptAnything" } ], "registry.redhat.io":[ { "type":"insecureAcceptAnything" } ] }, "docker":{ "example.com":[ { "type":"insecureAcceptAnything" } ], "image-registry.openshift-image-registry.svc:5000":[ { "type":"insecureAcceptAnything" } ], "insecure.com":[ { "type":"insecureAcceptAnything" } ], "quay.io":[ { "type":"insecureAcceptAnything" } ], "reg4.io/myrepo/myapp:latest":[ { "type":"insecureAcceptAnything" } ], "registry.redhat.io":[ { "type":"insecureAcceptAnything" } ] }, "docker-daemon":{ "":[ { "type":"insecureAcceptAnything" } ] } } }`;
