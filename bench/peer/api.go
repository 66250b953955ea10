// The ClusterBootstrap API (bootstrap.pekko-operator.dev/v1alpha1) as Go types: the fields the peer reads, mirroring
// core/api/types.ts. Deep copies are written by hand (what controller-gen would generate), because the cache hands
// out copies on every read.
package main

import (
	"encoding/json"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var GroupVersion = schema.GroupVersion{Group: "bootstrap.pekko-operator.dev", Version: "v1alpha1"}

const Kind = "ClusterBootstrap"

type ManagementSpec struct {
	Port     *int32 `json:"port,omitempty"`
	PortName string `json:"portName,omitempty"`
}

type RemotingSpec struct {
	Port *int32 `json:"port,omitempty"`
}

type BootstrapSpec struct {
	RequiredContactPoints *int32 `json:"requiredContactPoints,omitempty"`
	StableMargin          string `json:"stableMargin,omitempty"`
	NewClusterEnabled     *bool  `json:"newClusterEnabled,omitempty"`
	PodLabelSelector      string `json:"podLabelSelector,omitempty"`
}

type AgentSpec struct {
	Image string `json:"image,omitempty"`
}

type ClusterBootstrapSpec struct {
	Image              string                     `json:"image"`
	Replicas           *int32                     `json:"replicas,omitempty"`
	ActorSystemName    *string                    `json:"actorSystemName,omitempty"`
	ServiceName        *string                    `json:"serviceName,omitempty"`
	Workload           string                     `json:"workload,omitempty"`
	Agent              *AgentSpec                 `json:"agent,omitempty"`
	Management         *ManagementSpec            `json:"management,omitempty"`
	Remoting           *RemotingSpec              `json:"remoting,omitempty"`
	Bootstrap          *BootstrapSpec             `json:"bootstrap,omitempty"`
	ServiceAccountName *string                    `json:"serviceAccountName,omitempty"`
	Strategy           *appsv1.DeploymentStrategy `json:"strategy,omitempty"`
	// The pod template is not rendered by the peer (see render.go); kept raw so that it can say so.
	Template json.RawMessage `json:"template,omitempty"`
	Paused   bool            `json:"paused,omitempty"`
}

type ClusterBootstrapStatus struct {
	ObservedGeneration    int64              `json:"observedGeneration,omitempty"`
	RequiredContactPoints *int32             `json:"requiredContactPoints,omitempty"`
	Conditions            []metav1.Condition `json:"conditions,omitempty"`
}

type ClusterBootstrap struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ClusterBootstrapSpec   `json:"spec"`
	Status            ClusterBootstrapStatus `json:"status,omitempty"`
}

type ClusterBootstrapList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ClusterBootstrap `json:"items"`
}

func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &ClusterBootstrap{}, &ClusterBootstrapList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}

func ptrCopy[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func (in *ClusterBootstrapSpec) DeepCopyInto(out *ClusterBootstrapSpec) {
	*out = *in
	out.Replicas = ptrCopy(in.Replicas)
	out.ActorSystemName = ptrCopy(in.ActorSystemName)
	out.ServiceName = ptrCopy(in.ServiceName)
	out.ServiceAccountName = ptrCopy(in.ServiceAccountName)
	out.Agent = ptrCopy(in.Agent)
	if in.Management != nil {
		out.Management = &ManagementSpec{Port: ptrCopy(in.Management.Port), PortName: in.Management.PortName}
	}
	if in.Remoting != nil {
		out.Remoting = &RemotingSpec{Port: ptrCopy(in.Remoting.Port)}
	}
	if in.Bootstrap != nil {
		b := *in.Bootstrap
		b.RequiredContactPoints = ptrCopy(in.Bootstrap.RequiredContactPoints)
		b.NewClusterEnabled = ptrCopy(in.Bootstrap.NewClusterEnabled)
		out.Bootstrap = &b
	}
	if in.Strategy != nil {
		out.Strategy = in.Strategy.DeepCopy()
	}
	if in.Template != nil {
		out.Template = append(json.RawMessage(nil), in.Template...)
	}
}

func (in *ClusterBootstrapStatus) DeepCopyInto(out *ClusterBootstrapStatus) {
	*out = *in
	out.RequiredContactPoints = ptrCopy(in.RequiredContactPoints)
	if in.Conditions != nil {
		out.Conditions = make([]metav1.Condition, len(in.Conditions))
		for i := range in.Conditions {
			in.Conditions[i].DeepCopyInto(&out.Conditions[i])
		}
	}
}

func (in *ClusterBootstrapStatus) DeepCopy() *ClusterBootstrapStatus {
	out := new(ClusterBootstrapStatus)
	in.DeepCopyInto(out)
	return out
}

func (in *ClusterBootstrap) DeepCopyInto(out *ClusterBootstrap) {
	*out = *in
	out.TypeMeta = in.TypeMeta
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	in.Spec.DeepCopyInto(&out.Spec)
	in.Status.DeepCopyInto(&out.Status)
}

func (in *ClusterBootstrap) DeepCopy() *ClusterBootstrap {
	if in == nil {
		return nil
	}
	out := new(ClusterBootstrap)
	in.DeepCopyInto(out)
	return out
}

func (in *ClusterBootstrap) DeepCopyObject() runtime.Object { return in.DeepCopy() }

func (in *ClusterBootstrapList) DeepCopyObject() runtime.Object {
	if in == nil {
		return nil
	}
	out := new(ClusterBootstrapList)
	*out = *in
	in.ListMeta.DeepCopyInto(&out.ListMeta)
	if in.Items != nil {
		out.Items = make([]ClusterBootstrap, len(in.Items))
		for i := range in.Items {
			in.Items[i].DeepCopyInto(&out.Items[i])
		}
	}
	return out
}
