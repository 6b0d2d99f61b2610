"""translate.stacks on the demo estate: the share of environment and instance stacks on a shared
parameterised template (the issue's bar: 90 %), each proven equal to its deployed template."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from proton_exodus.cfn.normalise import load_normalised
from proton_exodus.cfn.resolve import PUBLIC_SSM_PARAMETER, PUBLIC_SSM_STAND_IN, fold, resolve_parameters
from proton_exodus.cfn.text import load_template
from proton_exodus.model.secrets import ssm_lookup
from proton_exodus.model.snapshot import load_snapshot
from proton_exodus.model.units import build_units
from proton_exodus.proton.markers import marker
from proton_exodus.proton.parameterise import inline_mappings, substitute
from proton_exodus.translate.stacks import PARAMETERISED, StackTemplateBuilder

DEMO = Path(__file__).resolve().parents[2] / "sample_exports" / "snapshot"


def test_demo_stacks_share_parameterised_templates_each_proven() -> None:
    snap = load_snapshot(DEMO)
    units = build_units(snap)
    wanted = [u for u in units if u.kind in ("environment", "service_instance") and u.stack_name]
    built = StackTemplateBuilder(snap, units).build(wanted)
    shared = [st for st in built if st.path == PARAMETERISED]
    assert len(built) == 32 and len(shared) / len(built) >= 0.9
    files = Counter((st.unit.template_name, st.unit.template_minor, st.key) for st in shared)
    assert len(files) <= 6  # shared, not one template per stack: 7 files before optional secrets
    for st in shared:
        deployed = fold(load_normalised(st.unit.deployed_template or ""))
        keep = frozenset(deployed.get("Parameters") or {})
        resolved = resolve_parameters(
            load_normalised(st.text), st.parameters, keep=keep, ssm=ssm_lookup(snap, st.unit)
        )
        deployed.pop("Description"), resolved.pop("Description")
        assert resolved == deployed, st.unit.stack_name
        assert {p.name for p in st.mapping} <= set(st.parameters)
    image = {p.name for st in shared for p in st.mapping if p.path == "service_instance.inputs.image"}
    assert image == {"Image"}  # a service pipeline ships an image by changing this one parameter


def test_stacks_with_and_without_an_optional_secret_share_one_template() -> None:
    """demo-fargate-svc 1.1: `db_password` set on some instances only. One shared template: its
    Parameter Store-typed parameter names the staged secret, or AWS's public parameter when unset (guarded
    by `DbPasswordDefined`, read by no resource); each stack proven (build() checks every one)."""
    snap = load_snapshot(DEMO)
    units = build_units(snap)
    wanted = [u for u in units if u.template_name == "demo-fargate-svc" and u.kind == "service_instance"]
    built = [st for st in StackTemplateBuilder(snap, units).build(wanted) if st.unit.template_minor == "1"]
    assert {st.path for st in built} == {PARAMETERISED}
    with_secret = [st for st in built if "db_password" in st.unit.sensitive_inputs]
    without = [st for st in built if "db_password" not in st.unit.inputs]
    assert with_secret and without and len(with_secret) + len(without) == len(built)
    assert len({st.key for st in built}) == 1
    for st in with_secret:
        assert st.parameters["DbPasswordDefined"] == "true"
        assert st.parameters["ExodusSecretDbPassword"] == f"/exodus/{st.unit.stack_name}/db_password"
        assert [p.ssm_name for p in st.secret_parameters] == [st.parameters["ExodusSecretDbPassword"]]
    for st in without:
        assert st.parameters["DbPasswordDefined"] == "false"
        assert st.parameters["ExodusSecretDbPassword"] == PUBLIC_SSM_PARAMETER
        assert not st.secret_parameters and not st.secrets  # nothing to stage, nothing placeholder-like
    tree = load_normalised(built[0].text)
    assert tree["Parameters"]["ExodusSecretDbPassword"]["Type"] == "AWS::SSM::Parameter::Value<String>"
    assert tree["Parameters"]["ExodusSecretDbPassword"]["Default"] == PUBLIC_SSM_PARAMETER
    # the proof is not vacuous: with the secret switched on but not staged, the stand-in reaches the task
    # definition and the comparison fails
    st = without[0]
    on = resolve_parameters(
        tree, {**st.parameters, "DbPasswordDefined": "true"}, ssm=ssm_lookup(snap, st.unit)
    )
    deployed = fold(load_normalised(st.unit.deployed_template or ""))
    on.pop("Description"), deployed.pop("Description")
    assert on != deployed and PUBLIC_SSM_STAND_IN in str(on["Resources"]["TaskDefinition"])


def test_a_mapping_value_holding_a_variable_is_inlined_where_it_is_looked_up() -> None:
    tree = load_template(
        f"Mappings: {{Net: {{Vpc: {{Cidr: '{marker(0)}', Other: x}}}}}}\n"
        "Resources: {V: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !FindInMap [Net, Vpc, Cidr]}}}\n"
    )
    assert inline_mappings(tree)["Mappings"] == {"Net": {"Vpc": {"Other": "x"}}}
    out, illegal = substitute(tree, {0: "VpcCidr"})
    assert not illegal and out["Resources"]["V"]["Properties"]["CidrBlock"] == {"Ref": "VpcCidr"}
    looked_up_by_region = tree | {
        "Resources": {
            "V": {
                "Type": "T",
                "Properties": {"C": {"Fn::FindInMap": ["Net", {"Ref": "AWS::Region"}, "Cidr"]}},
            }
        }
    }
    assert substitute(looked_up_by_region, {0: "VpcCidr"})[1] == {0}  # stays a literal: structural


def test_for_each_would_rename_the_demo_subnets_so_the_loop_stays_unrolled() -> None:
    """The evidence behind keeping demo-vpc-ecs-env's loop unrolled, from cfn-lint's own implementation of
    AWS::LanguageExtensions: Fn::ForEach over the stack's subnet_cidrs names the subnets after their items
    (`PublicSubnet&{Cidr}`), never the deployed `PublicSubnet1`, `PublicSubnet2`: every subnet would be
    replaced. TEMPLATES.md says so for the template version."""
    import types

    from cfnlint.template.transforms._language_extensions import language_extension

    snap = load_snapshot(DEMO)
    units = build_units(snap)
    envs = [u for u in units if u.template_name == "demo-vpc-ecs-env" and u.stack_name]
    builder = StackTemplateBuilder(snap, units)
    assert {st.path for st in builder.build(envs)} == {PARAMETERISED}
    notes = [n for r in builder.reports.values() for n in r.notes if "subnet_cidrs` in one template" in n]
    assert notes and all("not Fn::ForEach" in n for n in notes)
    for unit in envs:
        cidrs = unit.inputs["subnet_cidrs"]
        template = {
            "Transform": "AWS::LanguageExtensions",
            "Parameters": {"SubnetCidrs": {"Type": "CommaDelimitedList", "Default": ",".join(cidrs)}},
            "Resources": {
                "Fn::ForEach::Subnets": [
                    "Cidr",
                    {"Ref": "SubnetCidrs"},
                    {
                        "PublicSubnet&{Cidr}": {
                            "Type": "AWS::EC2::Subnet",
                            "Properties": {"CidrBlock": {"Ref": "Cidr"}},
                        }
                    },
                ]
            },
        }
        matches, out = language_extension(types.SimpleNamespace(template=template, regions=["us-east-1"]))
        assert not matches
        deployed = load_normalised(unit.deployed_template or "")["Resources"]
        subnets = {k for k, v in deployed.items() if v["Type"] == "AWS::EC2::Subnet"}
        assert len(out["Resources"]) == len(subnets) == len(cidrs)
        assert not set(out["Resources"]) & subnets, unit.stack_name  # every subnet a new logical id


def test_a_list_bounded_by_its_schema_is_one_template_for_every_length() -> None:
    """subnet_cidrs takes 2 or 3 items (minItems/maxItems): the 2- and 3-subnet environments of
    demo-vpc-ecs-env 1.1 share one file; the third subnet, its route table association and the lists
    naming them follow a Condition on the list's length, evaluated here as CloudFormation would."""
    snap = load_snapshot(DEMO)
    units = build_units(snap)
    envs = [u for u in units if u.template_name == "demo-vpc-ecs-env" and u.template_minor == "1"]
    built = StackTemplateBuilder(snap, units).build(envs)
    assert {st.path for st in built} == {PARAMETERISED} and len({st.key for st in built}) == 1
    assert {len(st.unit.inputs["subnet_cidrs"]) for st in built} == {2, 3}
    tree = load_normalised(built[0].text)
    for cidrs in (["10.0.0.0/24", "10.0.1.0/24"], ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]):
        values = {**built[0].parameters, "SubnetCidrs": ",".join(cidrs)}
        resolved = resolve_parameters(tree, values)
        subnets = {k: v for k, v in resolved["Resources"].items() if v["Type"] == "AWS::EC2::Subnet"}
        assert [s["Properties"]["CidrBlock"] for s in subnets.values()] == cidrs
        assert sorted(subnets) == [f"PublicSubnet{i + 1}" for i in range(len(cidrs))]
        balancer = resolved["Resources"]["LoadBalancer"]["Properties"]["Subnets"]
        assert balancer == [{"Ref": name} for name in sorted(subnets)]
        assert "Conditions" not in resolved  # every condition decided by the parameters alone
