# METADATA
# title: The input of every verdict policy
# description: >-
#   Generated from proto/verdict/v1 by `make schemas` (server/policytools/schemas.py);
#   do not edit. OPA's type checker refuses a policy that reads an input field
#   that does not exist, or uses one as the wrong type.
# scope: subpackages
# schemas:
#   - input:
#       type: object
#       additionalProperties: false
#       properties:
#         as_of:
#           type: string
#         case:
#           type: object
#           additionalProperties: false
#           properties:
#             case_id:
#               type: string
#             content:
#               type: object
#               additionalProperties: false
#               properties:
#                 kind:
#                   type: string
#                 post_id:
#                   type: string
#                 author_account_id:
#                   type: string
#                 posted_at:
#                   type: string
#             violation:
#               type: object
#               additionalProperties: false
#               properties:
#                 policy:
#                   type: string
#                 tve:
#                   type: object
#                   additionalProperties: false
#                   properties:
#                     category:
#                       type: string
#                     group_id:
#                       type: string
#                     group:
#                       type: object
#                       additionalProperties: false
#                       properties:
#                         on_terrorism_list:
#                           type: boolean
#                         identifiable_as_extremist:
#                           type: boolean
#                         uses_or_promotes_violence:
#                           type: boolean
#                         targets_civilians:
#                           type: boolean
#                         reformed_or_peace_process:
#                           type: boolean
#                         elected_representatives:
#                           type: boolean
#                     educational_or_documentary:
#                       type: boolean
#                 ei:
#                   type: object
#                   additionalProperties: false
#                   properties:
#                     category:
#                       type: string
#                     confirmed:
#                       type: boolean
#                     non_violation:
#                       type: string
#                     severe:
#                       type: boolean
#                 cha:
#                   type: object
#                   additionalProperties: false
#                   properties:
#                     category:
#                       type: string
#                     group_id:
#                       type: string
#                     sufficient_technical_evidence:
#                       type: boolean
#                     activism:
#                       type: boolean
#                     evidence_of_harm:
#                       type: boolean
#                     primarily_propagates:
#                       type: boolean
#                     continues_behaviour:
#                       type: boolean
#                     violates_other_rules:
#                       type: boolean
#                     severe_or_repeated:
#                       type: boolean
#                 priv:
#                   type: object
#                   additionalProperties: false
#                   properties:
#                     category:
#                       type: string
#                     subject_id:
#                       type: string
#                     information:
#                       type: string
#                     location:
#                       type: string
#                     subject_consented:
#                       type: boolean
#                     shared_by_subject:
#                       type: boolean
#                     publicly_available_elsewhere:
#                       type: boolean
#                     abusive_intent:
#                       type: boolean
#                     crisis_help:
#                       type: boolean
#                     public_engagement_event:
#                       type: boolean
#                     location_time:
#                       type: string
#                     subject_is_public_figure:
#                       type: boolean
#                     mainstream_media_coverage:
#                       type: boolean
#                     public_discourse_value:
#                       type: boolean
#                     eyewitness_news:
#                       type: boolean
#                     regional_id_exception:
#                       type: boolean
#                     contains_private_information:
#                       type: boolean
#                     account_dedicated_to_live_location:
#                       type: boolean
#                 rule:
#                   type: object
#                   additionalProperties: false
#                   properties:
#                     confirmed:
#                       type: boolean
#             reporter:
#               type: object
#               additionalProperties: false
#               properties:
#                 reporter_id:
#                   type: string
#                 has_account:
#                   type: boolean
#                 role:
#                   type: string
#                 representative_kind:
#                   type: string
#                 country:
#                   type: string
#             country:
#               type: string
#             as_of:
#               type: string
#             public_interest:
#               type: object
#               additionalProperties: false
#               properties:
#                 directed_at_officials:
#                   type: boolean
#                 relevant_to_public_function:
#                   type: boolean
#                 geopolitical_clarification:
#                   type: boolean
#                 archival_value:
#                   type: boolean
#                 explicit_call_to_harm:
#                   type: boolean
#                 impedes_fundamental_rights:
#                   type: boolean
#                 evidence_of_offline_harm:
#                   type: boolean
#                 weak_link_to_violence:
#                   type: boolean
#                 platform_only_source:
#                   type: boolean
#                 hyperbolic_political_speech:
#                   type: boolean
#                 aimed_at_private_individual:
#                   type: boolean
#                 heated_policy_debate:
#                   type: boolean
#                 political_statement:
#                   type: boolean
#                 private_information_omittable:
#                   type: boolean
#                 local_law_withhold_countries:
#                   type: array
#                   items:
#                     type: string
#             time_zone:
#               type: string
#             source_type:
#               type: string
#             automated_detection:
#               type: boolean
#             human_reviewed:
#               type: boolean
#             content_types:
#               type: array
#               items:
#                 type: string
#             content_language:
#               type: string
#             legal_ground:
#               type: string
#             received_at:
#               type: string
#         account:
#           type: object
#           additionalProperties: false
#           properties:
#             account_id:
#               type: string
#             verified:
#               type: boolean
#             followers:
#               type: integer
#             office_role:
#               type: string
#             office_level:
#               type: string
#             state_affiliated_media:
#               type: boolean
#             government_or_military:
#               type: boolean
#             suspended:
#               type: boolean
#             history:
#               type: array
#               items:
#                 type: object
#                 additionalProperties: false
#                 properties:
#                   decision_id:
#                     type: string
#                   policy:
#                     type: string
#                   clause_id:
#                     type: string
#                   at:
#                     type: string
#                   warning:
#                     type: boolean
#             locks:
#               type: array
#               items:
#                 type: object
#                 additionalProperties: false
#                 properties:
#                   decision_id:
#                     type: string
#                   starts_at:
#                     type: string
#                   ends_at:
#                     type: string
#                   clause_id:
#                     type: string
#             visibility_limits:
#               type: array
#               items:
#                 type: object
#                 additionalProperties: false
#                 properties:
#                   decision_id:
#                     type: string
#                   group_id:
#                     type: string
#                   starts_at:
#                     type: string
#                   expires_at:
#                     type: string
#             groups:
#               type: array
#               items:
#                 type: object
#                 additionalProperties: false
#                 properties:
#                   group_id:
#                     type: string
#                   primarily_propagates:
#                     type: boolean
#             updated_at:
#               type: string
#             dedicated_to_live_location:
#               type: boolean
#         groups:
#           type: object
#           additionalProperties:
#             type: object
#             additionalProperties: false
#             properties:
#               group_id:
#                 type: string
#               name:
#                 type: string
#               designated:
#                 type: boolean
#               terrorist_organisation:
#                 type: boolean
#               violent_extremist_group:
#                 type: boolean
#               tve_exception:
#                 type: boolean
#               tve_exception_clauses:
#                 type: array
#                 items:
#                   type: string
#               assessed_at:
#                 type: string
#               review_by:
#                 type: string
#               limits_expire_at:
#                 type: string
#               decision_id:
#                 type: string
#         report:
#           type: object
#           additionalProperties: false
#           properties:
#             policy:
#               type: string
#             priv_category:
#               type: string
#             reporter:
#               type: object
#               additionalProperties: false
#               properties:
#                 reporter_id:
#                   type: string
#                 has_account:
#                   type: boolean
#                 role:
#                   type: string
#                 representative_kind:
#                   type: string
#                 country:
#                   type: string
#             post_ids:
#               type: array
#               items:
#                 type: string
#             subject_id:
#               type: string
#             clearly_abusive:
#               type: boolean
#             as_of:
#               type: string
#         group:
#           type: object
#           additionalProperties: false
#           properties:
#             group_id:
#               type: string
#             name:
#               type: string
#             kind:
#               type: string
#             shared_purpose:
#               type: boolean
#             coordination:
#               type: array
#               items:
#                 type: object
#                 additionalProperties: false
#                 properties:
#                   type:
#                     type: string
#                   evidence:
#                     type: array
#                     items:
#                       type: string
#                   sufficient_evidence:
#                     type: boolean
#             harms:
#               type: object
#               additionalProperties: false
#               properties:
#                 physical:
#                   type: string
#                 psychological:
#                   type: string
#                 informational:
#                   type: string
#             activism:
#               type: boolean
#             free_expression_risk:
#               type: boolean
#             extremism:
#               type: object
#               additionalProperties: false
#               properties:
#                 on_terrorism_list:
#                   type: boolean
#                 identifiable_as_extremist:
#                   type: boolean
#                 uses_or_promotes_violence:
#                   type: boolean
#                 targets_civilians:
#                   type: boolean
#                 reformed_or_peace_process:
#                   type: boolean
#                 elected_representatives:
#                   type: boolean
#             linked_accounts:
#               type: array
#               items:
#                 type: object
#                 additionalProperties: false
#                 properties:
#                   account_id:
#                     type: string
#                   primarily_propagates:
#                     type: boolean
package verdict
