//! 返信テンプレート: the list, the categories, and their editing.

use super::{Id, IdVariables, IdVariablesFields, NoVariables, Timestamp, operation, schema};

/// `Template`.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub id: Id,
    pub category: String,
    pub name: String,
    pub body: String,
    pub updated_at: Timestamp,
}

/// `TemplateInput`.
#[derive(cynic::InputObject, Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateInput {
    pub category: String,
    pub name: String,
    pub body: String,
}

#[derive(cynic::QueryVariables, Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplatesVariables {
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "QueryRoot", variables = "TemplatesVariables")]
pub struct TemplatesData {
    #[arguments(category: $category)]
    pub templates: Vec<Template>,
}

operation!(
    /// Templates, all or of one category.
    Templates: query TemplatesData(TemplatesVariables)
);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "QueryRoot")]
pub struct TemplateCategoriesData {
    pub template_categories: Vec<String>,
}

operation!(
    /// The category names (カテゴリ名) in use.
    TemplateCategories: query TemplateCategoriesData(NoVariables)
);

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct TemplateInputVariables {
    pub input: TemplateInput,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "TemplateInputVariables")]
pub struct CreateTemplateData {
    #[arguments(input: $input)]
    pub create_template: Template,
}

operation!(CreateTemplate: mutation CreateTemplateData(TemplateInputVariables));

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct UpdateTemplateVariables {
    pub id: Id,
    pub input: TemplateInput,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "UpdateTemplateVariables")]
pub struct UpdateTemplateData {
    #[arguments(id: $id, input: $input)]
    pub update_template: Template,
}

operation!(UpdateTemplate: mutation UpdateTemplateData(UpdateTemplateVariables));

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "IdVariables")]
pub struct DeleteTemplateData {
    /// The id of the deleted template.
    #[arguments(id: $id)]
    pub delete_template: Id,
}

operation!(DeleteTemplate: mutation DeleteTemplateData(IdVariables));
