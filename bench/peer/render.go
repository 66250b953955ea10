// Rendering: a ClusterBootstrap to the same children operator/render builds (core/api/resolve.ts for the defaults,
// operator/render/deployment.ts, env.ts, labels.ts, service-account.ts and shared-rbac.ts for the objects), as server-side apply configurations.
// The benchmark checks that both render the same JSON for its resources before it measures anything.
//
// Covered: workload pekko and agent, every scalar field, spec.strategy, paused. Not covered (the benchmarks never use
// them): spec.template and spec.agent.image; a resource with either is reported and skipped.
package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	rbacv1ac "k8s.io/client-go/applyconfigurations/rbac/v1"
)

const (
	FieldManager    = "pekko-bootstrap-operator"
	ManagedByLabel  = "app.kubernetes.io/managed-by"
	InstanceLabel   = "app.kubernetes.io/instance"
	PartOfLabel     = "app.kubernetes.io/part-of"
	RoleName        = "pod-reader"
	RoleBindingName = "read-pods"
	// SubjectsAnnotation: operator/render/shared-rbac.ts, each member's account by resource name.
	SubjectsAnnotation = "bootstrap.pekko-operator.dev/subjects"
	// PekkoTerminationGraceSeconds: core/api/resolve.ts, the pods' grace for workload pekko.
	PekkoTerminationGraceSeconds = 90
	AppContainer                 = "app"
)

// Resolved mirrors core/api/resolve.ts: the spec with every default filled in.
type Resolved struct {
	Name, Namespace, Image, ActorSystemName, ServiceName, Workload string
	Replicas, ManagementPort, RemotingPort, RequiredContactPoints  int32
	ManagementPortName, StableMargin, PodLabelSelectorTemplate     string
	NewClusterEnabled, CreateServiceAccount, Paused                bool
	ServiceAccountName                                             string
	TerminationGracePeriodSeconds                                  *int64
	// RequiredFixed: core/api/resolve.ts requiredContactPointsFixed (the spec's or status's value, or replicas > 0);
	// unfixed, the setting is neither handed to the pods nor written to status.
	RequiredFixed bool
}

func valueOr[T any](p *T, dflt T) T {
	if p == nil {
		return dflt
	}
	return *p
}

func stringOr(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

// Unsupported says why the peer cannot render a resource, or "" when it can.
func Unsupported(cb *ClusterBootstrap) string {
	if t := strings.TrimSpace(string(cb.Spec.Template)); t != "" && t != "{}" && t != "null" {
		return "spec.template is not rendered by the peer"
	}
	if cb.Spec.Agent != nil && cb.Spec.Agent.Image != "" {
		return "spec.agent.image is not rendered by the peer"
	}
	return ""
}

func Resolve(cb *ClusterBootstrap) Resolved {
	s := cb.Spec
	r := Resolved{Name: cb.Name, Namespace: stringOr(cb.Namespace, "default"), Image: s.Image}
	r.ActorSystemName = valueOr(s.ActorSystemName, r.Name)
	r.ServiceName = valueOr(s.ServiceName, r.ActorSystemName)
	r.Replicas = valueOr(s.Replicas, 3)
	r.Workload = stringOr(s.Workload, "pekko")
	r.ManagementPort, r.ManagementPortName, r.RemotingPort = 7626, "management", 17355
	if s.Management != nil {
		r.ManagementPort = valueOr(s.Management.Port, 7626)
		r.ManagementPortName = stringOr(s.Management.PortName, "management")
	}
	if s.Remoting != nil {
		r.RemotingPort = valueOr(s.Remoting.Port, 17355)
	}
	b := s.Bootstrap
	if b == nil {
		b = &BootstrapSpec{}
	}
	r.RequiredContactPoints = max(1, r.Replicas)
	if cb.Status.RequiredContactPoints != nil {
		r.RequiredContactPoints = *cb.Status.RequiredContactPoints
	}
	r.RequiredContactPoints = valueOr(b.RequiredContactPoints, r.RequiredContactPoints)
	r.RequiredFixed = b.RequiredContactPoints != nil || cb.Status.RequiredContactPoints != nil || r.Replicas > 0
	r.StableMargin = stringOr(b.StableMargin, "5s")
	r.NewClusterEnabled = valueOr(b.NewClusterEnabled, true)
	r.PodLabelSelectorTemplate = stringOr(b.PodLabelSelector, "app=%s")
	r.ServiceAccountName = valueOr(s.ServiceAccountName, r.Name)
	r.CreateServiceAccount = s.ServiceAccountName == nil
	r.Paused = s.Paused
	if r.Workload == "pekko" {
		grace := int64(PekkoTerminationGraceSeconds)
		r.TerminationGracePeriodSeconds = &grace
	}
	return r
}

func childLabels(r Resolved) map[string]string {
	return map[string]string{
		"app": r.ServiceName, "actorSystemName": r.ActorSystemName, "app.kubernetes.io/name": r.ServiceName,
		InstanceLabel: r.Name, ManagedByLabel: FieldManager,
	}
}

func sharedLabels() map[string]string {
	return map[string]string{ManagedByLabel: FieldManager, PartOfLabel: "pekko-bootstrap-operator"}
}

func ownerRef(cb *ClusterBootstrap, controller bool) *metav1ac.OwnerReferenceApplyConfiguration {
	return metav1ac.OwnerReference().WithAPIVersion(GroupVersion.String()).WithKind(Kind).
		WithName(cb.Name).WithUID(cb.UID).WithController(controller)
}

// bootstrapSettings: operator/render/env.ts, in the same order.
func bootstrapSettings(r Resolved) [][2]string {
	cpd := "pekko.management.cluster.bootstrap.contact-point-discovery"
	onOff := map[bool]string{true: "on", false: "off"}
	settings := [][2]string{
		{cpd + ".discovery-method", "kubernetes-api"},
		{cpd + ".port-name", r.ManagementPortName},
	}
	if r.RequiredFixed {
		settings = append(settings, [2]string{cpd + ".required-contact-point-nr", fmt.Sprint(r.RequiredContactPoints)})
	}
	return append(settings, [][2]string{
		{cpd + ".stable-margin", r.StableMargin},
		{"pekko.management.cluster.bootstrap.new-cluster-enabled", onOff[r.NewClusterEnabled]},
		{"pekko.discovery.kubernetes-api.pod-label-selector", r.PodLabelSelectorTemplate},
		{"pekko.discovery.kubernetes-api.use-raw-ip", "true"},
		{"pekko.management.http.hostname", "$(POD_IP)"},
		{"pekko.management.http.port", fmt.Sprint(r.ManagementPort)},
		{"pekko.remote.artery.canonical.hostname", "$(POD_IP)"},
		{"pekko.remote.artery.canonical.port", fmt.Sprint(r.RemotingPort)},
	}...)
}

func env(name, value string) *corev1ac.EnvVarApplyConfiguration {
	return corev1ac.EnvVar().WithName(name).WithValue(value)
}

func fieldEnv(name, path string) *corev1ac.EnvVarApplyConfiguration {
	return corev1ac.EnvVar().WithName(name).
		WithValueFrom(corev1ac.EnvVarSource().WithFieldRef(corev1ac.ObjectFieldSelector().WithFieldPath(path)))
}

func containerEnv(r Resolved) []*corev1ac.EnvVarApplyConfiguration {
	out := []*corev1ac.EnvVarApplyConfiguration{
		fieldEnv("POD_IP", "status.podIP"),
		fieldEnv("POD_NAME", "metadata.name"),
		fieldEnv("KUBERNETES_NAMESPACE", "metadata.namespace"),
		fieldEnv("PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME", "metadata.labels['app']"),
	}
	settings := bootstrapSettings(r)
	if r.Workload == "agent" {
		out = append(out, env("PEKKO_ACTOR_SYSTEM_NAME", r.ActorSystemName))
		for _, kv := range settings[1:] {
			v := map[string]string{"on": "true", "off": "false"}[kv[1]]
			out = append(out, env(strings.NewReplacer(".", "_", "-", "_").Replace(strings.ToUpper(kv[0])), stringOr(v, kv[1])))
		}
		// The agent's ClusterMembership (core/settings/catalog.ts, membershipName): the resource's name.
		return append(out, env("AGENT_MEMBERSHIP_NAME", r.Name))
	}
	flags := make([]string, len(settings))
	for i, kv := range settings {
		flags[i] = "-D" + kv[0] + "=" + kv[1]
	}
	return append(out, env("JAVA_TOOL_OPTIONS", strings.Join(flags, " ")))
}

func strategy(user *appsv1.DeploymentStrategy) *appsv1ac.DeploymentStrategyApplyConfiguration {
	if user != nil && user.Type == appsv1.RecreateDeploymentStrategyType {
		return appsv1ac.DeploymentStrategy().WithType("Recreate")
	}
	ru := appsv1ac.RollingUpdateDeployment().WithMaxSurge(intstr.FromInt32(1)).WithMaxUnavailable(intstr.FromInt32(0))
	if user != nil && user.RollingUpdate != nil {
		if user.RollingUpdate.MaxSurge != nil {
			ru.WithMaxSurge(*user.RollingUpdate.MaxSurge)
		}
		if user.RollingUpdate.MaxUnavailable != nil {
			ru.WithMaxUnavailable(*user.RollingUpdate.MaxUnavailable)
		}
	}
	return appsv1ac.DeploymentStrategy().WithType("RollingUpdate").WithRollingUpdate(ru)
}

func RenderDeployment(cb *ClusterBootstrap, r Resolved) *appsv1ac.DeploymentApplyConfiguration {
	port := intstr.FromString(r.ManagementPortName)
	container := corev1ac.Container().WithName(AppContainer).WithImage(r.Image).WithEnv(containerEnv(r)...).
		WithSecurityContext(corev1ac.SecurityContext().WithAllowPrivilegeEscalation(false).
			WithCapabilities(corev1ac.Capabilities().WithDrop("ALL"))).
		WithPorts(
			corev1ac.ContainerPort().WithName(r.ManagementPortName).WithContainerPort(r.ManagementPort).
				WithProtocol(corev1.ProtocolTCP),
			corev1ac.ContainerPort().WithName("remoting").WithContainerPort(r.RemotingPort).WithProtocol(corev1.ProtocolTCP),
		).
		WithReadinessProbe(corev1ac.Probe().WithHTTPGet(corev1ac.HTTPGetAction().WithPath("/ready").WithPort(port)).
			WithPeriodSeconds(2).WithTimeoutSeconds(1).WithFailureThreshold(3)).
		WithLivenessProbe(corev1ac.Probe().WithHTTPGet(corev1ac.HTTPGetAction().WithPath("/alive").WithPort(port)).
			WithInitialDelaySeconds(20).WithPeriodSeconds(10).WithTimeoutSeconds(3).WithFailureThreshold(3))
	pod := corev1ac.PodSpec().
		WithServiceAccountName(r.ServiceAccountName).
		WithSecurityContext(corev1ac.PodSecurityContext().WithRunAsNonRoot(true).
			WithSeccompProfile(corev1ac.SeccompProfile().WithType(corev1.SeccompProfileTypeRuntimeDefault))).
		WithContainers(container)
	if r.TerminationGracePeriodSeconds != nil {
		pod.WithTerminationGracePeriodSeconds(*r.TerminationGracePeriodSeconds)
	}
	labels := childLabels(r)
	return appsv1ac.Deployment(r.Name, r.Namespace).WithLabels(labels).WithOwnerReferences(ownerRef(cb, true)).
		WithSpec(appsv1ac.DeploymentSpec().
			WithReplicas(r.Replicas).
			WithSelector(metav1ac.LabelSelector().WithMatchLabels(map[string]string{"app": r.ServiceName, InstanceLabel: r.Name})).
			WithStrategy(strategy(cb.Spec.Strategy)).
			WithTemplate(corev1ac.PodTemplateSpec().WithLabels(labels).WithSpec(pod)))
}

// RenderServiceAccount: nil when the user named an existing account.
func RenderServiceAccount(cb *ClusterBootstrap, r Resolved) *corev1ac.ServiceAccountApplyConfiguration {
	if !r.CreateServiceAccount {
		return nil
	}
	return corev1ac.ServiceAccount(r.ServiceAccountName, r.Namespace).WithLabels(childLabels(r)).
		WithOwnerReferences(ownerRef(cb, true))
}

// RenderSharedRbac: pod-reader and read-pods owned by every member (none as controller), binding every member's
// service account; members sorted by name, subjects by account name. Nil without members. (The operator sorts
// members with localeCompare; for the lower-case names the benchmarks use, that is byte order.)
func RenderSharedRbac(namespace string, members []*ClusterBootstrap) (*rbacv1ac.RoleApplyConfiguration, *rbacv1ac.RoleBindingApplyConfiguration) {
	if len(members) == 0 {
		return nil, nil
	}
	sorted := append([]*ClusterBootstrap(nil), members...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	refs := make([]*metav1ac.OwnerReferenceApplyConfiguration, len(sorted))
	names := map[string]bool{}
	byResource := map[string]string{}
	for i, cb := range sorted {
		refs[i] = ownerRef(cb, false)
		account := Resolve(cb).ServiceAccountName
		names[account] = true
		byResource[cb.Name] = account
	}
	// encoding/json writes map keys sorted, as the operator writes them (members sorted by name).
	subjectsJSON, _ := json.Marshal(byResource)
	accounts := make([]string, 0, len(names))
	for n := range names {
		accounts = append(accounts, n)
	}
	sort.Strings(accounts)
	subjects := make([]*rbacv1ac.SubjectApplyConfiguration, len(accounts))
	for i, n := range accounts {
		subjects[i] = rbacv1ac.Subject().WithKind("ServiceAccount").WithName(n).WithNamespace(namespace)
	}
	role := rbacv1ac.Role(RoleName, namespace).WithLabels(sharedLabels()).WithOwnerReferences(refs...).
		WithRules(rbacv1ac.PolicyRule().WithAPIGroups("").WithResources("pods").WithVerbs("get", "watch", "list"))
	binding := rbacv1ac.RoleBinding(RoleBindingName, namespace).WithLabels(sharedLabels()).WithOwnerReferences(refs...).
		WithAnnotations(map[string]string{SubjectsAnnotation: string(subjectsJSON)}).
		WithRoleRef(rbacv1ac.RoleRef().WithAPIGroup("rbac.authorization.k8s.io").WithKind("Role").WithName(RoleName)).
		WithSubjects(subjects...)
	return role, binding
}
