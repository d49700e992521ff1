# The DSA classification (data.verdict.dsa): every policy the server decides
# maps to a Transparency Database category and keywords (schema v2), so each
# statement of reasons says what kind of content it restricted. The lists of
# allowed values below are the Transparency Database's own.
package verdict.dsa_test

import data.verdict.dsa
import data.verdict.rules
import rego.v1

tdb_categories := {
	"STATEMENT_CATEGORY_ANIMAL_WELFARE",
	"STATEMENT_CATEGORY_CONSUMER_INFORMATION",
	"STATEMENT_CATEGORY_CYBER_VIOLENCE",
	"STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
	"STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
	"STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
	"STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
	"STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
	"STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
	"STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
	"STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
	"STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
	"STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
	"STATEMENT_CATEGORY_SELF_HARM",
	"STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
	"STATEMENT_CATEGORY_VIOLENCE",
}

tdb_keywords := {
	"KEYWORD_ANIMAL_HARM", "KEYWORD_ADULT_SEXUAL_MATERIAL", "KEYWORD_AGE_SPECIFIC_RESTRICTIONS",
	"KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS", "KEYWORD_BIOMETRIC_DATA_BREACH", "KEYWORD_BULLYING_AGAINST_GIRLS",
	"KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL", "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
	"KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS", "KEYWORD_COORDINATED_HARM", "KEYWORD_COPYRIGHT_INFRINGEMENT",
	"KEYWORD_CYBER_BULLYING_INTIMIDATION", "KEYWORD_CYBER_HARASSMENT", "KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN",
	"KEYWORD_CYBER_INCITEMENT", "KEYWORD_CYBER_STALKING", "KEYWORD_CYBER_STALKING_AGAINST_WOMEN",
	"KEYWORD_DATA_FALSIFICATION", "KEYWORD_DEFAMATION", "KEYWORD_DESIGN_INFRINGEMENT", "KEYWORD_DISCRIMINATION",
	"KEYWORD_MISINFORMATION_DISINFORMATION", "KEYWORD_FEMALE_GENDERED_DISINFORMATION",
	"KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT", "KEYWORD_GEOGRAPHICAL_REQUIREMENTS",
	"KEYWORD_GOODS_SERVICES_NOT_PERMITTED", "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS", "KEYWORD_HATE_SPEECH",
	"KEYWORD_HIDDEN_ADVERTISEMENT", "KEYWORD_HUMAN_EXPLOITATION", "KEYWORD_HUMAN_TRAFFICKING",
	"KEYWORD_ILLEGAL_ORGANIZATIONS", "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING", "KEYWORD_INAUTHENTIC_ACCOUNTS",
	"KEYWORD_INAUTHENTIC_LISTINGS", "KEYWORD_INAUTHENTIC_USER_REVIEWS", "KEYWORD_INCITEMENT_AGAINST_WOMEN",
	"KEYWORD_INCITEMENT_VIOLENCE_HATRED", "KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS",
	"KEYWORD_LANGUAGE_REQUIREMENTS", "KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS",
	"KEYWORD_MISLEADING_INFO_GOODS_SERVICES", "KEYWORD_MISSING_PROCESSING_GROUND",
	"KEYWORD_NON_CONSENSUAL_IMAGE_SHARING", "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN",
	"KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE", "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN",
	"KEYWORD_NONCOMPLIANCE_PRICING", "KEYWORD_NUDITY", "KEYWORD_PATENT_INFRINGEMENT", "KEYWORD_PHISHING",
	"KEYWORD_PROHIBITED_PRODUCTS", "KEYWORD_PYRAMID_SCHEMES", "KEYWORD_RIGHT_TO_BE_FORGOTTEN",
	"KEYWORD_RISK_ENVIRONMENTAL_DAMAGE", "KEYWORD_RISK_PUBLIC_HEALTH", "KEYWORD_SELF_MUTILATION",
	"KEYWORD_STALKING", "KEYWORD_SUICIDE", "KEYWORD_TERRORIST_CONTENT", "KEYWORD_TRADE_SECRET_INFRINGEMENT",
	"KEYWORD_TRADEMARK_INFRINGEMENT", "KEYWORD_TRAFFICKING_WOMEN_GIRLS", "KEYWORD_UNLAWFUL_SALE_ANIMALS",
	"KEYWORD_UNSAFE_CHALLENGES", "KEYWORD_UNSAFE_PRODUCTS", "KEYWORD_VIOLATION_EU_LAW",
	"KEYWORD_VIOLATION_NATIONAL_LAW", "KEYWORD_OTHER",
}

# The EU member states plus Iceland, Liechtenstein and Norway.
eea := {
	"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
	"IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
}

# Every policy a case can be decided under (data.verdict.findings).
decided_policies := rules.policies | {
	"POLICY_TERRORISM_VIOLENT_EXTREMISM",
	"POLICY_ELECTION_INTEGRITY",
	"POLICY_COORDINATED_HARMFUL_ACTIVITY",
	"POLICY_PRIVATE_INFORMATION",
}

# The facts message whose categories may refine a policy's classification.
category_prefix := {
	"POLICY_ELECTION_INTEGRITY": "EI_CATEGORY_",
	"POLICY_COORDINATED_HARMFUL_ACTIVITY": "CHA_CATEGORY_",
	"POLICY_PRIVATE_INFORMATION": "PRIV_CATEGORY_",
	"POLICY_TERRORISM_VIOLENT_EXTREMISM": "TVE_CATEGORY_",
}

# Every classification in the data: the policy's own and its refinements.
entries contains [policy, entry] if some policy, entry in dsa.classification

entries contains [policy, entry] if {
	some policy, c in dsa.classification
	some entry in object.get(c, "by_category", {})
}

test_every_decided_policy_is_classified if {
	every policy in decided_policies {
		dsa.classification[policy].category
	}
}

test_only_decided_policies_are_classified if {
	every policy, _ in dsa.classification {
		policy in decided_policies
	}
}

# Statements and notices name the policy in English and Dutch.
test_every_classified_policy_has_names if {
	every policy, _ in dsa.classification {
		dsa.policy_names[policy].en != ""
		dsa.policy_names[policy].nl != ""
	}
	count(dsa.policy_names) == count(dsa.classification)
}

test_categories_are_tdb_categories if {
	every pair in entries {
		pair[1].category in tdb_categories
		every c in object.get(pair[1], "category_addition", []) {
			c in tdb_categories
			c != pair[1].category
		}
	}
}

test_keywords_are_tdb_keywords if {
	every pair in entries {
		count(pair[1].keywords) > 0
		every k in pair[1].keywords {
			k in tdb_keywords
		}
	}
}

# KEYWORD_OTHER says what it is, within the 500 characters the database allows.
test_other_keyword_has_its_words if {
	every pair in entries {
		("KEYWORD_OTHER" in pair[1].keywords) == (object.get(pair[1], "keyword_other", "") != "")
		count(object.get(pair[1], "keyword_other", "")) <= 500
	}
}

test_refinements_name_categories_of_the_policy if {
	every policy, c in dsa.classification {
		every category, _ in object.get(c, "by_category", {}) {
			startswith(category, category_prefix[policy])
		}
	}
}

test_terrorism_is_a_risk_for_public_security if {
	c := dsa.classification.POLICY_TERRORISM_VIOLENT_EXTREMISM
	c.category == "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"
	c.keywords == ["KEYWORD_TERRORIST_CONTENT"]
}

test_election_misinformation_and_false_affiliation if {
	ei := dsa.classification.POLICY_ELECTION_INTEGRITY
	ei.category == "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"
	ei.keywords == ["KEYWORD_MISINFORMATION_DISINFORMATION"]
	ei.by_category.EI_CATEGORY_FALSE_AFFILIATION.keywords == ["KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING"]
}

test_technical_coordination_is_inauthentic_accounts if {
	cha := dsa.classification.POLICY_COORDINATED_HARMFUL_ACTIVITY
	"KEYWORD_INAUTHENTIC_ACCOUNTS" in cha.by_category.CHA_CATEGORY_TECHNICAL_COORDINATION.keywords
	not "KEYWORD_INAUTHENTIC_ACCOUNTS" in cha.keywords
}

test_private_information_is_data_protection if {
	priv := dsa.classification.POLICY_PRIVATE_INFORMATION
	priv.category == "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS"
	priv.by_category.PRIV_CATEGORY_THREAT_TO_EXPOSE.category == "STATEMENT_CATEGORY_CYBER_VIOLENCE"
}

test_child_sexual_exploitation_protects_minors if {
	dsa.classification.POLICY_CHILD_SEXUAL_EXPLOITATION.category == "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
}

test_service_territory_is_the_eea if {
	{c | some c in dsa.service_territory} == eea
	count(dsa.service_territory) == count(eea)
	dsa.service_territory == sort(dsa.service_territory)
}

# Art. 20(1): complaints stay open for at least six months.
test_complaint_window_is_at_least_six_months if {
	dsa.complaint_window_months >= 6
}
